import CRdKafka
import Logging

/// The callback opaque of a consumer: carries the application's rebalance hooks into librdkafka's C
/// rebalance callback (which captures nothing and finds this object through the opaque pointer).
///
/// The C callback runs on the thread that polls the consumer (the consumer's poll queue), inside
/// `rd_kafka_consumer_poll` or `rd_kafka_consumer_close`.
final class RebalanceHandler: @unchecked Sendable {
    let startOffsets: (@Sendable ([TopicPartition]) -> [TopicPartition: Int64])?
    let onRebalance: (@Sendable (RebalanceEvent) -> Void)?
    let logger: Logger

    init(startOffsets: (@Sendable ([TopicPartition]) -> [TopicPartition: Int64])?,
         onRebalance: (@Sendable (RebalanceEvent) -> Void)?, logger: Logger) {
        self.startOffsets = startOffsets
        self.onRebalance = onRebalance
        self.logger = logger
    }

    /// Installs the C trampoline on `conf` (before `rd_kafka_new`).
    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
            guard let rk, let partitions, let opaque else { return }
            let handler = Unmanaged<RebalanceHandler>.fromOpaque(opaque).takeUnretainedValue()
            handler.handle(rk: rk, err: err, list: RDKafkaPartitionList(borrowing: partitions))
        }
    }

    private func handle(rk: OpaquePointer, err: rd_kafka_resp_err_t, list: RDKafkaPartitionList) {
        // NULL while no protocol is in use (e.g. during close): treat as eager.
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        let partitions = list.partitions
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if let startOffsets {
                let wanted = Set(partitions)
                for (tp, offset) in startOffsets(partitions) where wanted.contains(tp) {
                    list.setOffset(tp, offset)
                }
            }
            if cooperative {
                if let e = rd_kafka_incremental_assign(rk, list.pointer) {
                    logger.error("incremental assign failed: \(KafkaError(consuming: e, "assign"))")
                }
            } else {
                let e = rd_kafka_assign(rk, list.pointer)
                if e != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("assign failed: \(KafkaError(e, "assign"))") }
            }
            logger.info("assigned \(partitions.count) partitions: \(partitions)")
            onRebalance?(.assigned(partitions))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            if cooperative {
                if let e = rd_kafka_incremental_unassign(rk, list.pointer) {
                    logger.error("incremental unassign failed: \(KafkaError(consuming: e, "unassign"))")
                }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
            logger.info("revoked \(partitions.count) partitions: \(partitions)")
            onRebalance?(.revoked(partitions))
        default:
            logger.error("rebalance error: \(KafkaError(err, "rebalance"))")
            _ = rd_kafka_assign(rk, nil)
        }
    }
}
