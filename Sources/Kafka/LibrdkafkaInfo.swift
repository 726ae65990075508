import CRdKafka

/// Facts about the librdkafka library this binary links against.
public enum LibrdkafkaInfo {
    /// librdkafka's version string at run time, e.g. `2.0.2` (from `rd_kafka_version_str()`).
    public static var version: String { String(cString: rd_kafka_version_str()) }

    /// Whether this librdkafka has `fetch.queue.backoff.ms` (2.4.0 and later), the setting for how soon a consumer
    /// fetches again after its queue thresholds were exceeded. Older versions wait up to a second (`FetchWakePolicy`).
    public static var hasFetchQueueBackoff: Bool { rd_kafka_version() >= 0x0204_0000 }
}
