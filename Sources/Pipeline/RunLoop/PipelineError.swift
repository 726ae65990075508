/// A run-loop failure that is not a store or source error, with an operator-facing message.
public struct PipelineError: Error, CustomStringConvertible {
    public let message: String
    /// Whether only the operator can fix it (running again would fail the same way): `weir` exits 2 for these, as
    /// for configuration errors, and 1 for the rest. Default false.
    public var needsOperator = false
    public var description: String { message }

    public init(message: String, needsOperator: Bool = false) {
        self.message = message
        self.needsOperator = needsOperator
    }
}
