import Dispatch

/// Checks that a client with these settings can talk to at least one broker, before a command starts work.
///
/// The probe creates a short-lived producer handle with the same properties (so TLS and SASL settings apply),
/// asks for cluster metadata, and collects librdkafka's error reports while it waits. Transient causes (DNS,
/// refused connections, timeouts) are retried until `timeout`; permanent ones (TLS, authentication, protocol
/// version) end the probe at once. librdkafka's own log lines during the probe go to debug level: the thrown
/// `BrokersUnreachable` carries the cause.
public enum BrokerProbe {
    /// - Parameters:
    ///   - properties: librdkafka properties besides `bootstrap.servers` (security, SASL, …).
    ///   - timeout: how long to keep trying transient failures.
    /// - Throws: `KafkaError` (with `property` set) when a property is invalid or the client cannot be created;
    ///   `BrokersUnreachable` when no broker answered.
    public static func check(bootstrapServers: String, properties: [String: String] = [:],
                             timeout: Duration) async throws {
        let queue = DispatchQueue(label: "weir.kafka.probe")
        let result: Result<Void, Error> = await withCheckedContinuation { cont in
            queue.async {
                do {
                    try probe(bootstrapServers: bootstrapServers, properties: properties, timeout: timeout)
                    cont.resume(returning: .success(()))
                } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        try result.get()
    }

    private static func probe(bootstrapServers: String, properties: [String: String], timeout: Duration) throws {
        var all = properties
        all["bootstrap.servers"] = bootstrapServers
        all["client.id"] = all["client.id"].map { $0 + "-probe" } ?? "weir-probe"
        // Consumer-only keys would make a producer handle log warnings; they do not matter for connecting.
        for key in ["group.id", "enable.auto.commit", "enable.auto.offset.store", "auto.offset.reset", "session.timeout.ms",
                    "heartbeat.interval.ms", "max.poll.interval.ms", "enable.partition.eof"] {
            all[key] = nil
        }
        let conf = try RDKafkaConfig(all, demoteLogs: true)
        let reports = ErrorReports()
        let client = try RDKafkaClient.probe(config: conf, reports: reports)
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + timeout
        while true {
            let remaining = max(Duration.milliseconds(1), deadline - clock.now)
            if client.brokersAnswer(timeoutMs: min(Duration.milliseconds(500), remaining).kafkaMilliseconds) { return }
            client.serveCallbacks()  // the error callback fills `reports`
            let (cause, report) = BrokerFailureCause.classify(reports.all)
            if cause.isPermanent || clock.now >= deadline {
                throw BrokersUnreachable(bootstrapServers: bootstrapServers, cause: cause, detail: report.map { Self.trim($0.message) },
                                         waited: clock.now - started)
            }
        }
    }

    /// Drops librdkafka's `(after 0ms in state CONNECT)` suffix, which says nothing to an operator.
    static func trim(_ message: String) -> String {
        guard let range = message.range(of: " (after ", options: .backwards), message.hasSuffix(")") else { return message }
        return String(message[..<range.lowerBound])
    }
}
