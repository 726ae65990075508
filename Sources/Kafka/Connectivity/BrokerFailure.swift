import Foundation

/// Why a client could not talk to any broker, classified from librdkafka's error reports (pure; no I/O).
///
/// librdkafka retries connections on its own and reports each failed attempt through its error callback with a
/// code and a text such as `127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused`.
/// `classify` picks the most telling of those reports.
public enum BrokerFailureCause: String, Sendable, CaseIterable {
    /// A broker host name does not resolve (DNS).
    case dns = "DNS lookup failed"
    /// The host answered but nothing listens on the port.
    case connectionRefused = "connection refused"
    /// The TLS handshake failed (wrong `security.protocol`, certificate, CA).
    case tls = "TLS handshake failed"
    /// SASL authentication failed (mechanism, user name, password).
    case authentication = "authentication failed"
    /// The peer does not speak a Kafka protocol version this client understands (the `ApiVersionRequest` failed,
    /// or the connection closed during it): not a Kafka broker, a TLS listener, or an incompatible broker.
    case protocolVersion = "Kafka protocol handshake (ApiVersionRequest) failed"
    /// Connections were attempted but none completed in time, and librdkafka gave no more specific reason.
    case timedOut = "no broker answered in time"

    /// Whether the bootstrap address itself is the likely culprit.
    public var isAboutTheAddress: Bool {
        switch self {
        case .dns, .connectionRefused, .protocolVersion, .timedOut: return true
        case .tls, .authentication: return false
        }
    }

    /// Causes that retrying will not cure: the probe stops at the first report of one of them.
    public var isPermanent: Bool {
        switch self {
        case .tls, .authentication, .protocolVersion: return true
        case .dns, .connectionRefused, .timedOut: return false
        }
    }

    /// What an operator should do about it.
    public var fix: String {
        switch self {
        case .dns: return "check the host names in the bootstrap servers"
        case .connectionRefused: return "check that a broker listens at that host and port, and the port number"
        case .tls: return "check security.protocol and the ssl.* properties under kafka.properties: the CA file and the certificates"
        case .authentication: return "check sasl.mechanisms, sasl.username and sasl.password under kafka.properties"
        case .protocolVersion:
            return "check that the address is a Kafka broker's listener and that security.protocol matches it; "
                + "a TLS listener needs security.protocol: SSL"
        case .timedOut: return "check the address and any firewall between this host and the brokers"
        }
    }
}

/// One error report of a librdkafka client: its error code and text.
public struct BrokerErrorReport: Sendable, Equatable {
    public let code: Int32
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The cause this report shows, or nil for reports that carry none (`1/1 brokers are down`).
    public var cause: BrokerFailureCause? {
        let text = message.lowercased()
        if code == BrokerErrorCode.authentication || text.contains("sasl") || text.contains("authentication") {
            return .authentication
        }
        if code == BrokerErrorCode.tls || text.contains("ssl handshake") || text.contains("certificate") {
            return .tls
        }
        if text.contains("apiversion") || text.contains("protocol parse failure") || text.contains("invalid response size")
            || code == BrokerErrorCode.badMessage || code == BrokerErrorCode.unsupportedFeature {
            return .protocolVersion
        }
        if code == BrokerErrorCode.resolve || text.contains("failed to resolve") { return .dns }
        if text.contains("connection refused") { return .connectionRefused }
        if code == BrokerErrorCode.transport || code == BrokerErrorCode.timedOut { return .timedOut }
        return nil
    }
}

extension BrokerFailureCause {
    /// The most specific cause among `reports` with the report that shows it, or `.timedOut` with nil when none
    /// shows one. Permanent causes rank first, then DNS, then refused connections.
    public static func classify(_ reports: [BrokerErrorReport]) -> (cause: BrokerFailureCause, report: BrokerErrorReport?) {
        let ranked: [BrokerFailureCause] = [.authentication, .tls, .protocolVersion, .dns, .connectionRefused, .timedOut]
        for cause in ranked {
            if let report = reports.first(where: { $0.cause == cause }) { return (cause, report) }
        }
        return (.timedOut, nil)
    }
}

/// No broker of `bootstrapServers` could be reached within `waited`.
public struct BrokersUnreachable: Error, Sendable, CustomStringConvertible {
    /// The bootstrap servers tried, as configured.
    public let bootstrapServers: String
    public let cause: BrokerFailureCause
    /// librdkafka's own words for the cause, e.g. `Connect to ipv4#127.0.0.1:1 failed: Connection refused`.
    public let detail: String?
    /// How long the probe tried (it stops early on a permanent cause).
    public let waited: Duration

    public var description: String {
        var text = "cannot connect to the Kafka brokers at \(bootstrapServers): \(cause.rawValue)"
        if let detail { text += " (librdkafka: \(detail))" }
        let seconds = Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
        let shown = seconds < 10 ? String(format: "%.1f", seconds) : String(Int(seconds.rounded()))
        text += cause.isPermanent ? "; not retried (retrying cannot fix it), gave up after \(shown) s"
            : "; still failing after \(shown) s"
        return text
    }
}
