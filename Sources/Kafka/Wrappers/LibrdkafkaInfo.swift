import CRdKafka

/// Facts about the librdkafka library this binary links against.
public enum LibrdkafkaInfo {
    /// librdkafka's version string at run time, e.g. `2.0.2` (from `rd_kafka_version_str()`).
    public static var version: String { String(cString: rd_kafka_version_str()) }

    /// Whether this librdkafka knows `fetch.queue.backoff.ms` (added in the 2.x series; 2.0.2 does not have it),
    /// the setting for how soon a consumer fetches again after its queue thresholds were exceeded. Older versions
    /// wait up to a second (`FetchWakePolicy`). Probed once by setting the property on a scratch configuration.
    public static let hasFetchQueueBackoff: Bool = {
        guard let conf = rd_kafka_conf_new() else { return false }
        defer { rd_kafka_conf_destroy(conf) }
        var errstr = [CChar](repeating: 0, count: 256)
        return rd_kafka_conf_set(conf, "fetch.queue.backoff.ms", "1000", &errstr, errstr.count) == RD_KAFKA_CONF_OK
    }()
}
