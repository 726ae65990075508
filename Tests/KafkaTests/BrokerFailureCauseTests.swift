import Testing
import CRdKafka
@testable import Kafka

/// The classification of librdkafka's error reports into one cause (pure; the texts are librdkafka 2.0.2's).
@Suite struct BrokerFailureCauseTests {
    static let refused = BrokerErrorReport(code: RD_KAFKA_RESP_ERR__TRANSPORT.rawValue,
                                           message: "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)")
    static let dns = BrokerErrorReport(code: RD_KAFKA_RESP_ERR__RESOLVE.rawValue,
                                       message: "x.invalid:9092/bootstrap: Failed to resolve 'x.invalid:9092': Name or service not known (after 2ms in state CONNECT)")
    static let allDown = BrokerErrorReport(code: RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue, message: "1/1 brokers are down")
    static let apiVersion = BrokerErrorReport(code: RD_KAFKA_RESP_ERR__TRANSPORT.rawValue,
                                              message: "127.0.0.1:9/bootstrap: Disconnected while requesting ApiVersion: might be caused by incorrect security.protocol configuration (connecting to a SSL listener?) or broker version is < 0.10 (see api.version.request) (after 1ms in state APIVERSION_QUERY)")
    static let garbage = BrokerErrorReport(code: RD_KAFKA_RESP_ERR__BAD_MSG.rawValue,
                                           message: "127.0.0.1:9/bootstrap: Receive failed: Invalid response size 1213486160 (0..100000000): increase receive.message.max.bytes")
    static let tls = BrokerErrorReport(code: RD_KAFKA_RESP_ERR__SSL.rawValue,
                                       message: "ssl://127.0.0.1:9/bootstrap: SSL handshake failed: Disconnected: connecting to a PLAINTEXT broker listener?")
    static let sasl = BrokerErrorReport(code: RD_KAFKA_RESP_ERR__AUTHENTICATION.rawValue,
                                        message: "sasl_plaintext://127.0.0.1:9/bootstrap: Failed to initialize SASL authentication: SASL Handshake not supported by broker")

    @Test func eachReportShowsItsCause() {
        #expect(Self.refused.cause == .connectionRefused)
        #expect(Self.dns.cause == .dns)
        #expect(Self.allDown.cause == nil)
        #expect(Self.apiVersion.cause == .protocolVersion)
        #expect(Self.garbage.cause == .protocolVersion)
        #expect(Self.tls.cause == .tls)
        #expect(Self.sasl.cause == .authentication)
    }

    @Test func theMostSpecificCauseWins() {
        #expect(BrokerFailureCause.classify([]).cause == .timedOut)
        #expect(BrokerFailureCause.classify([Self.allDown]).cause == .timedOut)
        let dns = BrokerFailureCause.classify([Self.allDown, Self.refused, Self.dns])
        #expect(dns.cause == .dns && dns.report == Self.dns)
        #expect(BrokerFailureCause.classify([Self.refused, Self.apiVersion]).cause == .protocolVersion)
        #expect(BrokerFailureCause.classify([Self.tls, Self.sasl]).cause == .authentication)
        #expect(BrokerFailureCause.protocolVersion.isPermanent && !BrokerFailureCause.connectionRefused.isPermanent)
    }

    @Test func theTimingSuffixIsDropped() {
        #expect(BrokerProbe.trim(Self.refused.message) == "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused")
        #expect(BrokerProbe.trim("no suffix (here)") == "no suffix (here)")
    }
}
