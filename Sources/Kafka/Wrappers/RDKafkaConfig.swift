import CRdKafka

/// Owns an `rd_kafka_conf_t` until it is handed to `rd_kafka_new`.
///
/// Ownership: `rd_kafka_new` takes the conf on success; on failure (and if never handed over) this wrapper
/// destroys it in `deinit`. Call `release()` only right after a successful `rd_kafka_new`.
final class RDKafkaConfig {
    private(set) var pointer: OpaquePointer?

    /// Creates a conf and sets every property. Throws with librdkafka's `errstr` for an unknown key or an
    /// invalid value (e.g. `No such configuration property: "foo.bar"`).
    init(_ properties: [String: String], demoteLogs: Bool = false) throws(KafkaError) {
        let conf = rd_kafka_conf_new()!
        pointer = conf
        LibrdkafkaLog.install(on: conf, demoted: demoteLogs)
        for key in properties.keys.sorted() {
            try set(key, properties[key]!)
        }
    }

    func set(_ key: String, _ value: String) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        let res = rd_kafka_conf_set(pointer, key, value, &errstr, errstr.count)
        if res != RD_KAFKA_CONF_OK {
            let shown = KafkaProperties.isSecret(key) ? "[REDACTED]" : value
            let message = String(errstr: errstr)
            throw KafkaError(code: res.rawValue,
                             reason: "invalid configuration \(key)=\(shown): \(message)", property: key, detail: message)
        }
    }

    /// Gives up ownership (after `rd_kafka_new` succeeded with this conf).
    func release() { pointer = nil }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }
}
