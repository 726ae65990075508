import CRdKafka
import Dispatch
import Logging

/// The batch loop behind `KafkaConsumer.poll`: `rd_kafka_consumer_poll` until `maxRecords` records or the
/// deadline. Blocking: runs on the consumer's poll queue only.
enum ConsumerPollLoop {
    /// Also keeps `ends` up to date, and returns early (with what it has) when a partition reaches its end and
    /// nothing else is queued, instead of waiting for the deadline.
    static func poll(_ rk: OpaquePointer, maxRecords: Int, timeoutMs: Int32, ends: Locked<EndOfPartitions>,
                     logger: Logger) throws(KafkaError) -> [KafkaRecord] {
        var anyAtEnd = ends.withLock { !$0.atEnd.isEmpty }
        var out: [KafkaRecord] = []
        out.reserveCapacity(min(maxRecords, 65_536))
        let deadline = DispatchTimeMs.now() + Int64(timeoutMs)
        var lastTopic: OpaquePointer?
        var lastName = ""
        let topicName = { (rkt: OpaquePointer) -> String in
            if rkt != lastTopic {
                lastTopic = rkt
                lastName = String(cString: rd_kafka_topic_name(rkt))
            }
            return lastName
        }
        while out.count < maxRecords {
            // Non-blocking first (no clock read while messages are buffered), then block until the deadline.
            var polled = rd_kafka_consumer_poll(rk, 0)
            if polled == nil {
                let remaining = Int32(clamping: max(0, deadline - DispatchTimeMs.now()))
                if remaining == 0 { break }
                polled = rd_kafka_consumer_poll(rk, remaining)
            }
            guard let msg = polled else { continue }
            defer { rd_kafka_message_destroy(msg) }
            let err = msg.pointee.err
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                let record = RDKafkaMessage.record(msg, topicName: topicName)
                if anyAtEnd {
                    anyAtEnd = ends.withLock { $0.received(record.topicPartition); return !$0.atEnd.isEmpty }
                }
                out.append(record)
            } else if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                if let rkt = msg.pointee.rkt {
                    let tp = TopicPartition(topic: topicName(rkt), partition: msg.pointee.partition)
                    ends.withLock { $0.reachedEnd(tp) }
                    anyAtEnd = true
                }
                if consumerQueueIsEmpty(rk) { break }
            } else {
                var buf = [CChar](repeating: 0, count: 512)
                let fatal = rd_kafka_fatal_error(rk, &buf, buf.count)
                if fatal != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(code: fatal.rawValue, reason: "fatal consumer error: \(String(errstr: buf))")
                }
                let text = rd_kafka_message_errstr(msg).map { String(cString: $0) } ?? ""
                logger.warning("consumer error: \(KafkaError(err, "poll")) \(text)")
            }
        }
        return out
    }
}

extension ConsumerPollLoop {
    static func consumerQueueIsEmpty(_ rk: OpaquePointer) -> Bool {
        guard let queue = rd_kafka_queue_get_consumer(rk) else { return false }
        defer { rd_kafka_queue_destroy(queue) }
        return rd_kafka_queue_length(queue) == 0
    }
}

/// Monotonic milliseconds.
enum DispatchTimeMs {
    static func now() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
}
