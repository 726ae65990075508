import CRdKafka

/// Conversion of a consumed `rd_kafka_message_t` into a `KafkaRecord`. Payloads are copied once into
/// `[UInt8]`; the message itself is not freed here (the caller owns it and calls `rd_kafka_message_destroy`).
enum RDKafkaMessage {
    static func record(_ msg: UnsafeMutablePointer<rd_kafka_message_t>,
                       topicName: (OpaquePointer) -> String) -> KafkaRecord {
        let m = msg.pointee
        let topic = m.rkt.map(topicName) ?? ""
        let value: [UInt8]? = m.payload.map { bytes($0, m.len) }
        let key: [UInt8]? = m.key.map { bytes($0, m.key_len) }
        var tstype = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(msg, &tstype)
        return KafkaRecord(topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
                           headers: headers(msg), timestampMs: tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts)
    }

    static func bytes(_ p: UnsafeMutableRawPointer, _ len: Int) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(start: p, count: len))
    }

    /// Headers of a message; the `rd_kafka_headers_t` is owned by the message and not freed here.
    static func headers(_ msg: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return [] }
        var out: [KafkaHeader] = []
        var idx = 0
        while true {
            var name: UnsafePointer<CChar>?
            var val: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(hdrs, idx, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  let name else { break }
            let value: [UInt8]? = val.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }
            out.append(KafkaHeader(key: String(cString: name), value: value))
            idx += 1
        }
        return out
    }
}
