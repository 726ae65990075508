import CRdKafka

/// The broker probe's librdkafka calls (see `BrokerProbe`).
extension RDKafkaClient {
    /// A producer handle that reports librdkafka's errors to `reports` (its error callback) and has no delivery
    /// reports: it only asks for metadata.
    static func probe(config: RDKafkaConfig, reports: ErrorReports) throws(KafkaError) -> RDKafkaClient {
        ErrorReports.install(on: config.pointer!)
        return try RDKafkaClient(type: RD_KAFKA_PRODUCER, config: config, opaque: reports)
    }

    /// Asks for the cluster's metadata (no topic), waiting up to `timeoutMs`: true when a broker answered.
    /// Blocking; call off the cooperative pool.
    func brokersAnswer(timeoutMs: Int32) -> Bool {
        var md: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, nil, &md, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md else { return false }
        rd_kafka_metadata_destroy(md)
        return true
    }

    /// Serves the callbacks due now (the error callback among them) without waiting (`rd_kafka_poll` with 0).
    func serveCallbacks() { rd_kafka_poll(handle, 0) }
}

/// Collects the error callback's reports of one client (the client's opaque).
final class ErrorReports: @unchecked Sendable {
    private let reports = Locked<[BrokerErrorReport]>([])

    var all: [BrokerErrorReport] { reports.withLock { $0 } }

    func add(_ report: BrokerErrorReport) { reports.withLock { $0.append(report) } }

    /// Installs the error callback; the client's opaque must be an `ErrorReports`.
    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_error_cb(conf) { _, err, reason, opaque in
            guard let opaque else { return }
            let target = Unmanaged<AnyObject>.fromOpaque(opaque).takeUnretainedValue() as? ErrorReports
            target?.add(BrokerErrorReport(code: err, message: reason.map { String(cString: $0) } ?? ""))
        }
    }
}

/// librdkafka's error codes that tell a broker failure's cause (`BrokerErrorReport.cause`).
enum BrokerErrorCode {
    static let authentication = RD_KAFKA_RESP_ERR__AUTHENTICATION.rawValue
    static let tls = RD_KAFKA_RESP_ERR__SSL.rawValue
    static let badMessage = RD_KAFKA_RESP_ERR__BAD_MSG.rawValue
    static let unsupportedFeature = RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue
    static let resolve = RD_KAFKA_RESP_ERR__RESOLVE.rawValue
    static let transport = RD_KAFKA_RESP_ERR__TRANSPORT.rawValue
    static let timedOut = RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
}
