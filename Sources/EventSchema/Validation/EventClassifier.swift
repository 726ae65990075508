/// Classifies one raw message by decoding and validating it (pure; no I/O).
///
/// Dead-letter reasons produced here: `parse_error`, `too_large`, `not_object`, `schema`.
/// Timestamp semantics (`bad_timestamp`) and Kafka tombstones are the pipeline's job.
public struct EventClassifier: Sendable {
    /// The verdict for one message.
    public enum Outcome: Sendable {
        /// Valid: the normalized document.
        case valid(JSONObject)
        /// Not strict JSON (any ``JSONRejection`` but `tooLarge`).
        case parseError(JSONDecodeError)
        /// Larger than ``JSONLimits/maxBytes``.
        case tooLarge(JSONDecodeError)
        /// Valid JSON but not an object.
        case notObject(JSONValue)
        /// A JSON object that fails the schema.
        case schema(ValidationResult)

        /// The dead-letter reason string (`parse_error`, `too_large`, `not_object`, `schema`), or `nil` when valid.
        public var reason: String? {
            switch self {
            case .valid: return nil
            case .parseError: return "parse_error"
            case .tooLarge: return "too_large"
            case .notObject: return "not_object"
            case .schema: return "schema"
            }
        }
    }

    public let decoder: StrictJSONDecoder
    public let validator: Validator

    public init(validator: Validator, limits: JSONLimits = .init()) {
        self.decoder = StrictJSONDecoder(limits: limits)
        self.validator = validator
    }

    /// Decodes then validates `bytes`.
    public func classify(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let value: JSONValue
        do throws(JSONDecodeError) { value = try decoder.decode(bytes) } catch {
            return error.rejection == .tooLarge ? .tooLarge(error) : .parseError(error)
        }
        guard case .object(let obj) = value else { return .notObject(value) }
        let result = validator.validate(obj)
        return result.isValid ? .valid(result.document) : .schema(result)
    }

    /// Decodes then validates `bytes`.
    public func classify(_ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBytes { classify($0) }
    }
}
