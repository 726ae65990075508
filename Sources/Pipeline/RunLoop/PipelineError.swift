/// A run-loop failure that is not a store or source error, with an operator-facing message.
public struct PipelineError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
