import CRdKafka

/// Facts about the librdkafka library this binary links against.
public enum LibrdkafkaInfo {
    /// librdkafka's version string at run time, e.g. `2.0.2` (from `rd_kafka_version_str()`).
    public static var version: String { String(cString: rd_kafka_version_str()) }
}
