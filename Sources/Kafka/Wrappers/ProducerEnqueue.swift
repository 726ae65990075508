import CRdKafka
import Foundation

/// Enqueues messages with `rd_kafka_produceva` (RD_KAFKA_MSG_F_COPY: librdkafka copies key and value, so
/// Swift buffers only need to live for the call). Headers are built as an `rd_kafka_headers_t`, owned by
/// librdkafka after a successful produce and destroyed here otherwise. On a full queue it waits 1 ms and
/// retries (this runs on the producer's enqueue queue, never on the cooperative pool).
enum ProducerEnqueue {
    nonisolated(unsafe) private static let emptyByte = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    static func enqueue(_ rk: OpaquePointer, _ messages: [KafkaOutgoingMessage], batch: DeliveryBatch) {
        var topics: [String: UnsafeMutablePointer<CChar>] = [:]
        defer { for p in topics.values { free(p) } }
        var vus = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 7)
        for (i, m) in messages.enumerated() {
            let topic = topics[m.topic] ?? { let p = strdup(m.topic)!; topics[m.topic] = p; return p }()
            var error: KafkaError?
            withBytes(m.key) { kp, kl in
                withBytes(m.value) { vp, vl in
                    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC; vus[0].u.cstr = UnsafePointer(topic)
                    vus[1].vtype = RD_KAFKA_VTYPE_PARTITION; vus[1].u.i32 = m.partition ?? RD_KAFKA_PARTITION_UA
                    vus[2].vtype = RD_KAFKA_VTYPE_VALUE; vus[2].u.mem.ptr = vp; vus[2].u.mem.size = vl
                    vus[3].vtype = RD_KAFKA_VTYPE_KEY; vus[3].u.mem.ptr = kp; vus[3].u.mem.size = kl
                    vus[4].vtype = RD_KAFKA_VTYPE_OPAQUE; vus[4].u.ptr = batch.opaque(for: i)
                    vus[5].vtype = RD_KAFKA_VTYPE_MSGFLAGS; vus[5].u.i = RD_KAFKA_MSG_F_COPY
                    var n = 6
                    let headers = m.headers.isEmpty ? nil : makeHeaders(m.headers)
                    if let headers { vus[6].vtype = RD_KAFKA_VTYPE_HEADERS; vus[6].u.headers = headers; n = 7 }
                    while true {
                        guard let e = rd_kafka_produceva(rk, &vus, n) else { return }
                        if rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                            rd_kafka_error_destroy(e)
                            usleep(1000)
                            continue
                        }
                        if let headers { rd_kafka_headers_destroy(headers) }
                        error = KafkaError(consuming: e, "produce to \(m.topic)")
                        return
                    }
                }
            }
            if let error { batch.finish(index: i, partition: m.partition ?? -1, offset: -1, error: error) }
        }
    }

    /// Calls `body` with (pointer, length): nil → (nil, 0) (null key / tombstone); empty → a valid pointer
    /// with length 0 (an empty, non-null payload).
    private static func withBytes(_ bytes: [UInt8]?, _ body: (UnsafeMutableRawPointer?, Int) -> Void) {
        guard let bytes else { return body(nil, 0) }
        if bytes.isEmpty { return body(emptyByte, 0) }
        bytes.withUnsafeBytes { body(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
    }

    private static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer {
        let h = rd_kafka_headers_new(headers.count)!
        for header in headers {
            if let v = header.value {
                v.withUnsafeBytes { _ = rd_kafka_header_add(h, header.key, -1, $0.baseAddress ?? UnsafeRawPointer(emptyByte), $0.count) }
            } else {
                _ = rd_kafka_header_add(h, header.key, -1, nil, 0)
            }
        }
        return h
    }
}
