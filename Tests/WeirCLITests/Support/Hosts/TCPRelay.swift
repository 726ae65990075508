import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Forwards every TCP connection accepted on `listen` to `target`, byte for byte in both directions, with both
/// sockets made inside one network namespace (`namespace`, or this process's own when nil).
///
/// The test hosts need it because librdkafka's mock brokers listen on, and advertise, 127.0.0.1 only: inside a
/// host's namespace a relay listens on 127.0.0.1:port and connects over the host's link to the same port on the
/// service address, where a relay in the root namespace connects to the broker. The traffic crosses the link,
/// so cutting the link stalls it as it would stall between machines (no reset, no error: packets are lost).
///
/// Each direction of a connection is one blocking thread; an end of file is passed on as a half close
/// (`shutdown(SHUT_WR)`), and the sockets close when both directions ended. `stop()` closes the listener and
/// every connection.
final class TCPRelay: @unchecked Sendable {
    let listen: (host: String, port: Int)
    let target: (host: String, port: Int)
    private let lock = NSLock()
    private var stopped = false
    private var open: Set<Int32> = []
    private var listener: Int32 = -1
    private let acceptorDone = DispatchSemaphore(value: 0)

    /// Starts the relay; returns once it listens.
    /// - Throws: `TestHostsError` when the namespace cannot be entered or the address cannot be bound.
    init(namespace: String?, listen: (host: String, port: Int), target: (host: String, port: Int)) throws {
        self.listen = listen
        self.target = target
        let ready = DispatchSemaphore(value: 0)
        let startup = StartupFailure()
        let thread = Thread { [self] in
            do {
                if let namespace { try NetworkNamespace.enter(namespace) }
                listener = try Self.listeningSocket(listen)
            } catch {
                startup.error = error
            }
            ready.signal()
            if startup.error == nil { acceptLoop() }
            acceptorDone.signal()
        }
        thread.name = "relay \(namespace ?? "root") \(listen.host):\(listen.port)"
        thread.start()
        ready.wait()
        if let failure = startup.error {
            acceptorDone.wait()
            throw failure
        }
    }

    deinit { stop() }

    /// Stops accepting, shuts every relayed connection down and waits for the acceptor to end. Idempotent.
    func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        let sockets = open
        lock.unlock()
        guard first else { return }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        if listener >= 0 { acceptorDone.wait() }
    }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    /// Accepts until stopped (polling every 200 ms for the stop flag); each connection gets its outgoing socket
    /// here, in the acceptor's namespace, and its connect and copying on threads of their own.
    private func acceptLoop() {
        defer { close(listener) }
        while !isStopped {
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)  // not inherited by the children other tests start
            let outgoing = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard outgoing >= 0, track([client, outgoing]) else {
                close(client)
                if outgoing >= 0 { close(outgoing) }
                continue
            }
            Thread.detachNewThread { [self] in relay(client: client, outgoing: outgoing) }
        }
    }

    private func relay(client: Int32, outgoing: Int32) {
        var address = Self.socketAddress(target)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(outgoing, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            untrackAndClose([client, outgoing])
            return
        }
        for fd in [client, outgoing] { Self.setNoDelay(fd) }
        let otherDirection = DispatchSemaphore(value: 0)
        Thread.detachNewThread { Self.copy(from: outgoing, to: client); otherDirection.signal() }
        Self.copy(from: client, to: outgoing)
        otherDirection.wait()
        untrackAndClose([client, outgoing])
    }

    /// Copies until end of file or an error, then half-closes the destination.
    private static func copy(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        copying: while true {
            let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            var sent = 0
            while sent < n {
                let m = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                if m < 0 && errno == EINTR { continue }
                guard m > 0 else { break copying }
                sent += m
            }
        }
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
    }

    /// Records sockets to shut down on `stop()`; false when already stopped.
    private func track(_ fds: [Int32]) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard !stopped else { return false }
        open.formUnion(fds)
        return true
    }

    private func untrackAndClose(_ fds: [Int32]) {
        lock.lock()
        open.subtract(fds)
        lock.unlock()
        for fd in fds { close(fd) }
    }

    private static func listeningSocket(_ address: (host: String, port: Int)) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestHostsError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = socketAddress(address)
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestHostsError("cannot listen on \(address.host):\(address.port): \(reason)")
        }
        return fd
    }

    private static func socketAddress(_ address: (host: String, port: Int)) -> sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = UInt16(address.port).bigEndian
        sin.sin_addr.s_addr = inet_addr(address.host)
        return sin
    }

    private static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        let tcpNoDelay: Int32 = 1  // TCP_NODELAY (netinet/tcp.h is not in Swift's Glibc module)
        setsockopt(fd, Int32(IPPROTO_TCP), tcpNoDelay, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The acceptor thread's startup error, handed to `init` (written before the semaphore is signalled).
    private final class StartupFailure: @unchecked Sendable { var error: Error? }
}
