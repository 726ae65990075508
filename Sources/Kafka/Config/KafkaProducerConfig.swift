/// Configuration of a `KafkaProducer`: typed settings for the common keys plus a pass-through of any
/// other librdkafka property (`extra`, which wins). Secrets are never shown by `description`.
public struct KafkaProducerConfig: Sendable, CustomStringConvertible {
    /// `bootstrap.servers`.
    public var bootstrapServers: String
    /// `client.id`, default `weir`.
    public var clientId: String
    /// `enable.idempotence`, default true (implies `acks=all`, ordered retries without duplicates).
    public var idempotence: Bool
    /// `compression.codec`: `none`, `gzip`, `snappy`, `lz4` (default) or `zstd`.
    public var compression: String
    /// `linger.ms`, default 5.
    public var lingerMs: Int
    /// `message.timeout.ms`: how long a message may wait for delivery, default 300 000 (5 min).
    public var messageTimeoutMs: Int
    /// Any other librdkafka property; overrides the typed settings above.
    public var extra: [String: String]

    public init(bootstrapServers: String, clientId: String = "weir", idempotence: Bool = true,
                compression: String = "lz4", lingerMs: Int = 5, messageTimeoutMs: Int = 300_000,
                extra: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientId = clientId
        self.idempotence = idempotence
        self.compression = compression
        self.lingerMs = lingerMs
        self.messageTimeoutMs = messageTimeoutMs
        self.extra = extra
    }

    /// The full librdkafka property set this configuration produces.
    public var properties: [String: String] {
        var p: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientId,
            "enable.idempotence": idempotence ? "true" : "false",
            "compression.codec": compression,
            "linger.ms": String(lingerMs),
            "message.timeout.ms": String(messageTimeoutMs),
            "queue.buffering.max.messages": "1000000",
            "queue.buffering.max.kbytes": "1048576",
        ]
        for (k, v) in extra { p[k] = v }
        return p
    }

    /// How long a message may wait for delivery as librdkafka will apply it: `message.timeout.ms`, or its alias
    /// `delivery.timeout.ms`, from `properties` (the longer if both are given; an unparsable value counts as
    /// `messageTimeoutMs`, librdkafka refuses it anyway). Nil when it is 0, librdkafka's "no limit".
    public var effectiveMessageTimeout: Duration? {
        let given = ["message.timeout.ms", "delivery.timeout.ms"].compactMap { properties[$0].flatMap { Int($0) } }
        if given.contains(0) { return nil }
        return .milliseconds(given.max() ?? messageTimeoutMs)
    }

    /// All properties with secrets replaced by `[REDACTED]`.
    public var redacted: String { KafkaProperties.redacted(properties) }
    public var description: String { "KafkaProducerConfig(\(redacted))" }
}
