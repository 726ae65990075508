import Foundation
import Kafka
import Pipeline

/// Turns any error that reaches the top of a command into the one line an operator reads: `weir: <cause> (fix: …)`,
/// with the exit status it deserves (2 for configuration and startup errors, 1 otherwise).
///
/// File-system errors from Foundation (`NSPOSIXErrorDomain`, `NSCocoaErrorDomain`) name the path and the system's
/// reason instead of Foundation's debug dump.
enum ErrorText {
    static func render(_ error: Error) -> (line: String, status: Int32) {
        switch error {
        case let e as ConfigError: return ("weir: \(e)", 2)
        case let e as StartupError: return ("weir: \(e)", 2)
        case let e as PipelineError where e.needsOperator: return ("weir: \(e)", 2)
        case let e as ClockSkew: return ("weir: \(e)", 2)  // running again does not fix a clock
        case let e as KafkaError where e.property != nil: return ("weir: \(KafkaStartup.kafkaConfigError(e))", 2)
        case let e as FileProblem: return ("weir: \(e)", e.status)
        case let e as KafkaError: return ("weir: Kafka: \(e.reason)" + (e.isRetriable ? " (a transient error; running again may succeed)" : ""), 1)
        default:
            if let file = FileProblem(error, operation: nil) { return ("weir: \(file)", 1) }
            return ("weir: \(error)", 1)
        }
    }
}
