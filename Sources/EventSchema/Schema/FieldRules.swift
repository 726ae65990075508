/// The rules of one field (a Cerberus "rules set"), read-only.
///
/// The pipeline reads this to derive Parquet columns (`types`, `nullable`, `required`,
/// nested `schema`); the ``Validator`` reads it to check documents.
public final class FieldRules: Sendable {
    /// `type`: accepted types (empty when the rule is absent). Several types mean "any of".
    public let types: [CerberusType]
    /// `required` (default `false`, or the enclosing `require_all`).
    public let required: Bool
    /// Whether `required` was written explicitly (otherwise `require_all` may apply).
    public let requiredIsExplicit: Bool
    /// `nullable` (default `false`).
    public let nullable: Bool
    /// `allowed`: the permitted values.
    public let allowed: [JSONValue]?
    /// `forbidden`: the refused values.
    public let forbidden: [JSONValue]?
    /// `min` / `max`: inclusive bounds (numbers, or strings for string fields).
    public let min: JSONValue?
    public let max: JSONValue?
    /// `minlength` / `maxlength` for strings (Unicode scalars), lists and dicts.
    public let minLength: Int?
    public let maxLength: Int?
    /// `empty`: `nil` when absent (empty values are then allowed).
    public let empty: Bool?
    /// `regex`: the compiled pattern; ``regexPattern`` is the text as written.
    public let regex: PythonRegex?
    public var regexPattern: String? { regex?.pattern }
    /// `allow_unknown` for a nested dict schema (`nil`: inherit from the parent).
    public let allowUnknown: Bool?
    /// `require_all` for a nested dict schema (`nil`: inherit).
    public let requireAll: Bool?
    /// `schema` for a dict value: the nested field map.
    public let schema: SchemaFields?
    /// `schema` for a list value: the rules every item must satisfy.
    public let itemRules: FieldRules?
    /// `keysrules` / `valuesrules`: rules for every key / value of a dict.
    public let keysRules: FieldRules?
    public let valuesRules: FieldRules?
    /// `dependencies`: as written (a field name, a list of names, or a map name → allowed values).
    public let dependencies: JSONValue?
    /// `excludes`: fields that must not be present together with this one.
    public let excludes: [String]?
    /// `default`: set during normalization when the field is missing (or null and not nullable).
    public let defaultValue: JSONValue?
    /// `meta`: free-form annotation, ignored.
    public let meta: JSONValue?
    /// The `type` constraint as written, for messages (`integer` or `['string', 'integer']`).
    let typeConstraint: JSONValue?
    /// The JSON kinds `types` accept together (`CerberusType.acceptedKinds`); 0 when `types` is empty.
    let typeMask: UInt8
    /// Non-priority validation rules in schema order (Cerberus evaluates them in this order).
    let ordered: [RuleKind]
    /// The `type`, `allowed`, `forbidden`, `min` and `max` constraints as error messages print them (Python `str`
    /// or `repr`), formatted once rather than for every failing value.
    let typeText: String
    let allowedText: String?
    let forbiddenText: String?
    let minText: String?
    let maxText: String?

    init(_ b: FieldRulesBuilder) {
        types = b.types; required = b.required ?? false; requiredIsExplicit = b.required != nil
        nullable = b.nullable ?? false; allowed = b.allowed; forbidden = b.forbidden
        min = b.min; max = b.max; minLength = b.minLength; maxLength = b.maxLength; empty = b.empty
        regex = b.regex; allowUnknown = b.allowUnknown; requireAll = b.requireAll
        schema = b.schema; itemRules = b.itemRules; keysRules = b.keysRules; valuesRules = b.valuesRules
        dependencies = b.dependencies; excludes = b.excludes; defaultValue = b.defaultValue; meta = b.meta
        typeConstraint = b.typeConstraint; ordered = b.ordered
        typeMask = b.types.reduce(0) { $0 | $1.acceptedKinds }
        typeText = PythonRepr.str(b.typeConstraint ?? .null)
        allowedText = b.allowed.map { PythonRepr.repr(.array($0)) }
        forbiddenText = b.forbidden.map { PythonRepr.repr(.array($0)) }
        minText = b.min.map(PythonRepr.str)
        maxText = b.max.map(PythonRepr.str)
    }

    /// Whether the field is required under an enclosing `require_all`.
    func isRequired(requireAll: Bool) -> Bool { requiredIsExplicit ? required : requireAll }
}

/// Mutable accumulator used by the loader.
struct FieldRulesBuilder {
    var types: [CerberusType] = []
    var required: Bool?
    var nullable: Bool?
    var allowed: [JSONValue]?
    var forbidden: [JSONValue]?
    var min: JSONValue?
    var max: JSONValue?
    var minLength: Int?
    var maxLength: Int?
    var empty: Bool?
    var regex: PythonRegex?
    var allowUnknown: Bool?
    var requireAll: Bool?
    var schema: SchemaFields?
    var itemRules: FieldRules?
    var keysRules: FieldRules?
    var valuesRules: FieldRules?
    var dependencies: JSONValue?
    var excludes: [String]?
    var defaultValue: JSONValue?
    var meta: JSONValue?
    var typeConstraint: JSONValue?
    var ordered: [RuleKind] = []
}

/// The rules validated in schema order, after `nullable`, `type` and `empty`.
enum RuleKind: String, Sendable {
    case allowed, forbidden, regex, min, max, minlength, maxlength, schema, keysrules, valuesrules, dependencies, excludes

    /// Rules Cerberus skips for a `null` value.
    var droppedByNull: Bool {
        switch self {
        case .dependencies, .excludes: return false
        default: return true
        }
    }

    /// Rules Cerberus skips for an empty value when `empty` is set.
    var droppedByEmpty: Bool {
        switch self {
        case .allowed, .forbidden, .minlength, .maxlength, .regex: return true
        default: return false
        }
    }
}
