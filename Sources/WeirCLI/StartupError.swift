import Foundation

/// A startup failure that is not a bad value but still the operator's to fix (unreachable brokers, a missing topic,
/// a lake directory that is not writable). Printed as `weir: <message> (fix: <fix>)`; exit status 2.
struct StartupError: Error, CustomStringConvertible {
    let message: String
    let fix: String

    var description: String { "\(message) (fix: \(fix))" }
}
