/// Helpers shared by the consumer and producer configurations: redaction of secrets and translation of a
/// property dictionary into an `rd_kafka_conf_t`.
public enum KafkaProperties {
    /// True when `key` names a secret: any key containing `password`, `secret`, or the SASL/OAuth/SSL
    /// keys that carry key material. Such values are never logged.
    public static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return k.contains("password") || k.contains("secret") || k == "sasl.oauthbearer.config"
            || k == "ssl.key.pem" || k == "ssl_key" || k.hasSuffix(".token")
    }

    /// Checks every property with librdkafka (`rd_kafka_conf_set`) without creating a client.
    /// - Throws: `KafkaError` whose `property` names the first invalid key and whose `detail` is librdkafka's
    ///   own message (e.g. `No such configuration property: "foo.bar"`).
    public static func check(_ properties: [String: String]) throws(KafkaError) {
        _ = try RDKafkaConfig(properties)
    }

    /// A deterministic `key=value` listing (sorted by key) with secret values replaced by `[REDACTED]`.
    public static func redacted(_ properties: [String: String]) -> String {
        properties.keys.sorted().map { key in
            "\(key)=\(isSecret(key) ? "[REDACTED]" : properties[key]!)"
        }.joined(separator: ", ")
    }
}
