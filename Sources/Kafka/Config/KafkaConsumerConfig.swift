/// Configuration of a `KafkaConsumer`: typed settings for the common keys plus a pass-through of any
/// other librdkafka property (`extra`, which wins over the typed settings).
///
/// The consumer always sets `enable.auto.commit=false` and `enable.auto.offset.store=false` (the pipeline
/// commits explicit offsets), and `enable.partition.eof=true` (see `EndOfPartitions`), unless `extra` overrides
/// them. Secrets are never shown by `description`.
public struct KafkaConsumerConfig: Sendable, CustomStringConvertible {
    public enum AutoOffsetReset: String, Sendable {
        case earliest, latest
    }

    /// `bootstrap.servers`, e.g. `127.0.0.1:39345,127.0.0.1:40001`.
    public var bootstrapServers: String
    /// `group.id`.
    public var groupId: String
    /// `client.id`, default `weir`.
    public var clientId: String
    /// `auto.offset.reset`, used when a partition has no committed offset and no start offset was supplied.
    public var autoOffsetReset: AutoOffsetReset
    /// `session.timeout.ms`, default 45 s (use 4–6 s against the embedded cluster).
    public var sessionTimeout: Duration
    /// `max.poll.interval.ms`, default 300 s.
    public var maxPollInterval: Duration
    /// `fetch.max.bytes`, default 4194304 (4 MiB; librdkafka's own default is 50 MiB). The queue limits
    /// (`queued.min.messages`, `queued.max.messages.kbytes`) are checked only before a fetch, so one response can
    /// overshoot them by up to this much compressed data: with 100 partitions a 50 MiB response held ~300 MB of
    /// decompressed messages at the start of a run. 4 MiB is still several round trips' worth of messages for a
    /// two-core consumer (docs/BENCHMARKS.md, "RSS at 5M").
    public var fetchMaxBytes: Int
    /// `max.partition.fetch.bytes`, default 1048576 (1 MiB).
    public var maxPartitionFetchBytes: Int
    /// `fetch.min.bytes`, default 1.
    public var fetchMinBytes: Int
    /// How soon the consumer fetches again after its queue dropped below `queued.min.messages`, default 20 ms; nil
    /// leaves librdkafka's own behaviour (up to 1 s with librdkafka 2.0.2, which capped a fast consumer near 100,000
    /// records/s). With a librdkafka that has `fetch.queue.backoff.ms` this sets it; otherwise a `FetchWaker`
    /// thread wakes the fetchers at this interval while the application drains the queue.
    public var fetchWakeInterval: Duration?
    /// Any other librdkafka property; overrides the typed settings above.
    public var extra: [String: String]

    public init(bootstrapServers: String, groupId: String, clientId: String = "weir",
                autoOffsetReset: AutoOffsetReset = .earliest, sessionTimeout: Duration = .seconds(45),
                maxPollInterval: Duration = .seconds(300), fetchMaxBytes: Int = 4_194_304,
                maxPartitionFetchBytes: Int = 1_048_576, fetchMinBytes: Int = 1,
                fetchWakeInterval: Duration? = .milliseconds(20), extra: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.groupId = groupId
        self.clientId = clientId
        self.autoOffsetReset = autoOffsetReset
        self.sessionTimeout = sessionTimeout
        self.maxPollInterval = maxPollInterval
        self.fetchMaxBytes = fetchMaxBytes
        self.maxPartitionFetchBytes = maxPartitionFetchBytes
        self.fetchMinBytes = fetchMinBytes
        self.fetchWakeInterval = fetchWakeInterval
        self.extra = extra
    }

    /// The full librdkafka property set this configuration produces.
    public var properties: [String: String] {
        var p: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "group.id": groupId,
            "client.id": clientId,
            "auto.offset.reset": autoOffsetReset.rawValue,
            "session.timeout.ms": String(sessionTimeout.kafkaMilliseconds),
            "max.poll.interval.ms": String(maxPollInterval.kafkaMilliseconds),
            "fetch.max.bytes": String(fetchMaxBytes),
            "max.partition.fetch.bytes": String(maxPartitionFetchBytes),
            "fetch.min.bytes": String(fetchMinBytes),
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            // End-of-partition events tell a batch-style run that the topic is drained (EndOfPartitions).
            "enable.partition.eof": "true",
        ]
        // A heartbeat well inside the session timeout (librdkafka requires heartbeat < session timeout).
        let session = Int(sessionTimeout.kafkaMilliseconds)
        p["heartbeat.interval.ms"] = String(max(100, min(3000, session / 3)))
        if let fetchWakeInterval, fetchWakeInterval > .zero, LibrdkafkaInfo.hasFetchQueueBackoff {
            p["fetch.queue.backoff.ms"] = String(max(1, fetchWakeInterval.kafkaMilliseconds))
        }
        for (k, v) in extra { p[k] = v }
        return p
    }

    /// The wake-up policy and interval for a `FetchWaker`, or nil when none is needed: disabled, or librdkafka
    /// already does this itself (`fetch.queue.backoff.ms`).
    var fetchWake: (policy: FetchWakePolicy, interval: Duration)? {
        guard let fetchWakeInterval, fetchWakeInterval > .zero, !LibrdkafkaInfo.hasFetchQueueBackoff else { return nil }
        return (FetchWakePolicy(properties: properties), fetchWakeInterval)
    }

    /// How fetching resumes after the queue thresholds, for the startup log: `waker every 20ms`,
    /// `fetch.queue.backoff.ms=20` or `librdkafka default`.
    public var fetchWakeSummary: String {
        if let wake = fetchWake { return "waker every \(wake.interval.kafkaMilliseconds)ms" }
        if let backoff = properties["fetch.queue.backoff.ms"] { return "fetch.queue.backoff.ms=\(backoff)" }
        return "librdkafka default"
    }

    /// All properties with secrets replaced by `[REDACTED]`.
    public var redacted: String { KafkaProperties.redacted(properties) }
    public var description: String { "KafkaConsumerConfig(\(redacted))" }
}
