import CRdKafka
import Dispatch

/// Owns one `rd_kafka_t`. Ownership: the handle is destroyed exactly once, in `deinit`
/// (`rd_kafka_destroy`), so it stays valid for as long as any Swift object references this wrapper.
/// Consumers must call `rd_kafka_consumer_close` before the last reference goes away.
///
/// librdkafka handles are thread-safe, hence `@unchecked Sendable`.
final class RDKafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    /// The object whose pointer was given to librdkafka as the callback opaque (`rd_kafka_conf_set_opaque`).
    /// Released right after `rd_kafka_destroy`, when no callback can run any more.
    private let retainedOpaque: Unmanaged<AnyObject>?

    /// Creates the handle. `config` is consumed: on success librdkafka owns the conf; on failure the
    /// `RDKafkaConfig` wrapper frees it. Throws with librdkafka's `errstr`.
    init(type: rd_kafka_type_t, config: RDKafkaConfig, opaque: AnyObject? = nil) throws(KafkaError) {
        let retained = opaque.map { Unmanaged<AnyObject>.passRetained($0) }
        if let retained { rd_kafka_conf_set_opaque(config.pointer, retained.toOpaque()) }
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, config.pointer, &errstr, errstr.count) else {
            retained?.release()
            let message = String(errstr: errstr)
            throw KafkaError(code: -1, reason: "rd_kafka_new failed: \(message)", detail: message)
        }
        config.release()
        handle = rk
        retainedOpaque = retained
    }

    deinit {
        rd_kafka_destroy(handle)
        retainedOpaque?.release()
    }

    /// Low and high watermark of a partition, queried from the leader (blocking; call off the
    /// cooperative pool).
    func queryWatermarks(_ tp: TopicPartition, timeoutMs: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_query_watermark_offsets(handle, tp.topic, tp.partition, &low, &high, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "watermarks of \(tp)") }
        return (low, high)
    }

    /// `queryWatermarks` run on `queue` (off the cooperative pool): the one body behind the consumer's and the
    /// producer's `watermarks`.
    func watermarks(_ tp: TopicPartition, timeout: Duration, on queue: DispatchQueue) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let w = try await Blocking.run(on: queue) { () throws(KafkaError) -> Watermarks in
            let w = try self.queryWatermarks(tp, timeoutMs: timeout.kafkaMilliseconds)
            return Watermarks(low: w.low, high: w.high)
        }
        return (w.low, w.high)
    }

    /// Number of partitions of `topic` from a metadata request (blocking).
    func partitionCount(topic: String, timeoutMs: Int32) throws(KafkaError) -> Int {
        guard let rkt = rd_kafka_topic_new(handle, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), "topic handle \(topic)")
        }
        defer { rd_kafka_topic_destroy(rkt) }
        var md: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, rkt, &md, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md else { throw KafkaError(err, "metadata of \(topic)") }
        defer { rd_kafka_metadata_destroy(md) }
        guard md.pointee.topic_cnt > 0 else { throw KafkaError.client("no metadata for topic \(topic)") }
        let t = md.pointee.topics[0]
        guard t.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(t.err, "metadata of \(topic)") }
        return Int(t.partition_cnt)
    }
}

/// Runs blocking librdkafka calls on a dispatch queue and bridges the result back with a continuation,
/// so no cooperative-pool thread ever blocks inside librdkafka.
enum Blocking {
    static func run<T: Sendable>(on queue: DispatchQueue,
                                 _ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await withCheckedContinuation { cont in
            queue.async {
                do throws(KafkaError) {
                    cont.resume(returning: .success(try body()))
                } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (cont: CheckedContinuation<T, Never>) in
            queue.async { cont.resume(returning: body()) }
        }
    }
}

/// A partition's low and high watermark, as a Sendable value for crossing queues.
struct Watermarks: Sendable {
    let low: Int64
    let high: Int64
}
