#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// The single HTTP listener of a Weir process (swift-nio, HTTP/1.1).
///
/// Routes (GET or HEAD; anything else → 405, unknown path → 404):
/// - `/metrics`: Prometheus text exposition format 0.0.4
///   (`Content-Type: text/plain; version=0.0.4; charset=utf-8`).
/// - `/healthz`: 200 `ok` while the process serves HTTP (liveness).
/// - `/readyz`: 200 `{"ready":true}`, or 503 `{"ready":false,"reason":"..."}` from the ``ReadinessProbe``.
///
/// Owns a one-thread `MultiThreadedEventLoopGroup`, shut down by ``stop()``.
public actor ObservabilityServer {
    /// Where to listen.
    public struct Configuration: Sendable {
        /// Interface to bind (default `127.0.0.1`; use `0.0.0.0` in containers).
        public var host: String
        /// TCP port (default 9108; 0 picks an ephemeral port, see ``ObservabilityServer/boundPort``).
        public var port: Int

        /// - Parameters:
        ///   - host: interface to bind, default `127.0.0.1`.
        ///   - port: TCP port, default 9108; 0 = ephemeral.
        public init(host: String = "127.0.0.1", port: Int = 9108) {
            self.host = host
            self.port = port
        }
    }

    /// Errors from ``start()``.
    public enum ServerError: Error, Equatable, CustomStringConvertible {
        /// ``start()`` was called on a running or stopped server.
        case alreadyStarted
        /// Another socket listens on `port` of `host` already (`EADDRINUSE`).
        case addressInUse(host: String, port: Int)
        /// The listener could not be opened for another reason (`reason`: the system's words, e.g. an address that is
        /// not this host's).
        case cannotListen(host: String, port: Int, reason: String)

        public var description: String {
            switch self {
            case .alreadyStarted: return "the server was started before"
            case .addressInUse(let host, let port): return "port \(port) on \(host) is in use"
            case .cannotListen(let host, let port, let reason): return "cannot listen on port \(port) of \(host): \(reason)"
            }
        }
    }

    private let configuration: Configuration
    private let render: @Sendable () -> [UInt8]
    private let readiness: any ReadinessProbe
    private var group: MultiThreadedEventLoopGroup?
    private var channel: (any Channel)?
    private var started = false

    /// The actual port after ``start()`` (useful with port 0); `nil` before start or after stop.
    public private(set) var boundPort: Int?

    /// - Parameters:
    ///   - configuration: host and port.
    ///   - registry: the registry rendered on `/metrics` (default: ``MetricsBootstrap/registry``).
    ///   - readiness: the probe behind `/readyz` (default: always ready).
    public init(
        configuration: Configuration = Configuration(),
        registry: PrometheusCollectorRegistry = MetricsBootstrap.registry,
        readiness: any ReadinessProbe = ClosureReadinessProbe { .ready }
    ) {
        self.configuration = configuration
        self.render = { MetricsBootstrap.render(registry) }
        self.readiness = readiness
    }

    /// Binds and starts serving. Returns once the socket is listening.
    ///
    /// - Returns: the bound port.
    /// - Throws: ``ServerError/alreadyStarted`` if started before (a stopped server is not
    ///   restartable; make a new one), ``ServerError/addressInUse(host:port:)`` when another socket holds the port,
    ///   ``ServerError/cannotListen(host:port:reason:)`` for any other bind failure (an unknown host, an address that
    ///   is not this host's); after a bind error the event loop group is shut down and `start()` may be called again.
    @discardableResult
    public func start() async throws -> Int {
        guard !started else { throw ServerError.alreadyStarted }
        started = true
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let render = self.render
        let readiness = self.readiness
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        ObservabilityHTTPHandler(render: render, readiness: readiness))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        do {
            let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
            self.group = group
            self.channel = channel
            self.boundPort = channel.localAddress?.port
            return boundPort ?? configuration.port
        } catch {
            started = false
            try? await group.shutdownGracefully()
            let (host, port) = (configuration.host, configuration.port)
            if let io = error as? IOError {
                if io.errnoCode == EADDRINUSE { throw ServerError.addressInUse(host: host, port: port) }
                throw ServerError.cannotListen(host: host, port: port, reason: String(cString: strerror(io.errnoCode)).lowercased())
            }
            throw ServerError.cannotListen(host: host, port: port, reason: "\(error)")
        }
    }

    /// Closes the listener and shuts the event loop group down. Idempotent; open keep-alive
    /// connections are closed with the group.
    public func stop() async throws {
        let channel = self.channel
        let group = self.group
        self.channel = nil
        self.group = nil
        boundPort = nil
        try? await channel?.close()
        try await group?.shutdownGracefully()
    }
}
