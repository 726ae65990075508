import CRdKafka
import Logging

/// Routes librdkafka's own log lines (connection failures, broker state changes) into swift-log, so they come
/// out in the process's log format (JSON lines by default) instead of raw `%3|…|FAIL|…` text on stderr.
///
/// The C callback captures nothing; it logs through this process-wide logger. syslog levels map to swift-log
/// levels (0–2 critical, 3 error, 4 warning, 5 notice, 6 info, 7 debug).
enum LibrdkafkaLog {
    static let logger = Logger(label: "weir.librdkafka")

    /// Installs the callback on a configuration before `rd_kafka_new`. With `demoted`, every line is logged at
    /// debug level (a connectivity probe reports the cause itself; its retries would only be noise).
    static func install(on conf: OpaquePointer, demoted: Bool = false) {
        if demoted {
            rd_kafka_conf_set_log_cb(conf) { rk, _, facility, message in
                LibrdkafkaLog.forward(rk, 7, facility, message)
            }
            return
        }
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            LibrdkafkaLog.forward(rk, level, facility, message)
        }
    }

    private static func forward(_ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?,
                                _ message: UnsafePointer<CChar>?) {
            let text = message.map { String(cString: $0) } ?? ""
            let name = rk.map { String(cString: rd_kafka_name($0)) } ?? ""
            let fac = facility.map { String(cString: $0) } ?? ""
            LibrdkafkaLog.logger.log(level: LibrdkafkaLog.level(level), "\(text)",
                                     metadata: ["client": "\(name)", "facility": "\(fac)"])
    }

    static func level(_ syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: return .critical
        case 3: return .error
        case 4: return .warning
        case 5: return .notice
        case 6: return .info
        default: return .debug
        }
    }
}
