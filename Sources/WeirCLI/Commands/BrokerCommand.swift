import ArgumentParser
import Dispatch
import Foundation
import Kafka

/// `weir broker`: runs an embedded multi-broker Kafka cluster (librdkafka's mock cluster) in this process.
///
/// Prints the bootstrap string as the first stdout line (flushed), then runs until SIGINT or SIGTERM.
/// Remember the mock brokers' retention cap: about 5 MiB and 100,000 message sets per partition.
public struct BrokerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run an embedded Kafka cluster (librdkafka mock brokers) until SIGINT/SIGTERM.",
        discussion: """
        The first line on stdout is the bootstrap string (host:port,…). The mock brokers keep only about \
        5 MiB and 100,000 message sets per partition and silently drop older data: compress and spread \
        data over partitions.
        """)

    @Option(help: "Number of brokers.")
    var brokers: Int = 3

    @Option(name: .customLong("topic"), help: "A topic to create, as name:partitions (repeatable).")
    var topics: [String] = []

    public init() {}

    public func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
        for t in topics { _ = try Self.parseTopic(t) }
    }

    static func parseTopic(_ spec: String) throws -> (name: String, partitions: Int) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.first, !name.isEmpty else {
            throw ValidationError("invalid --topic \(spec): expected name:partitions")
        }
        guard parts.count == 2 else { return (String(name), 1) }
        guard let p = Int(parts[1]), p >= 1 else {
            throw ValidationError("invalid --topic \(spec): partitions must be a positive integer")
        }
        return (String(name), p)
    }

    public func run() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: brokers)
        for t in topics {
            let (name, partitions) = try Self.parseTopic(t)
            try cluster.createTopic(name, partitions: partitions)
        }
        // Unbuffered write(2): the bootstrap string is the first stdout line, visible immediately to a parent
        // process reading the pipe.
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        FileHandle.standardError.write(Data("weir broker: \(brokers) brokers, topics \(topics); Ctrl-C to stop\n".utf8))
        let signal = await Self.waitForTermination()
        FileHandle.standardError.write(Data("weir broker: signal \(signal), shutting down\n".utf8))
        cluster.shutdown()
    }

    /// Suspends until SIGINT or SIGTERM arrives; returns the signal number.
    static func waitForTermination() async -> Int32 {
        await withCheckedContinuation { (cont: CheckedContinuation<Int32, Never>) in
            let queue = DispatchQueue(label: "weir.broker.signals")
            let once = SignalOnce(cont)
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { once.fire(sig) }
                source.resume()
                once.keep(source)
            }
        }
    }
}

/// Resumes the continuation on the first signal only; keeps the signal sources alive.
private final class SignalOnce: @unchecked Sendable {
    private var cont: CheckedContinuation<Int32, Never>?
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()

    init(_ cont: CheckedContinuation<Int32, Never>) { self.cont = cont }

    func keep(_ s: DispatchSourceSignal) { lock.withLock { sources.append(s) } }

    func fire(_ sig: Int32) {
        let c: CheckedContinuation<Int32, Never>? = lock.withLock { defer { cont = nil }; return cont }
        c?.resume(returning: sig)
    }
}
