import Foundation
import Testing
@testable import EventSchema

@Suite struct SchemaLoadingTests {
    /// A YAML syntax error is one line (it ends up in a one-line `weir:` error): where, what, and around what.
    @Test func invalidYAMLIsOneLineWithItsPosition() {
        for (yaml, expected) in [("schema:\n  a: {type: string\n  b: [\n",
                                  "invalid YAML: line 3, column 4: did not find expected ',' or '}' (while parsing a flow mapping at line 2, column 6)"),
                                 ("a: b: c\n", "invalid YAML: line 1, column 5: mapping values are not allowed in this context")] {
            do {
                _ = try EventSchema.load(yaml: yaml)
                Issue.record("\(yaml.debugDescription) loaded")
            } catch {
                #expect(error.message == expected, "\(error.message)")
            }
        }
    }

    @Test func loadsWrapperAndBareForms() throws {
        let s = try EventSchema.load(contentsOf: TestSupport.fixture("pi2_events.schema.yaml"))
        #expect(s.allowUnknown)
        #expect(s.fields.map(\.name) == ["event_id", "ts", "usuario_id", "accion", "monto"])
        let monto = s.fields[4].rules
        #expect(monto.types == [.float] && monto.nullable && !monto.required)
        #expect(monto.min == .int(0) && monto.max == .int(100000))
        #expect(s.fields[0].rules.regexPattern == "^e\\d+$")
        let bare = try EventSchema.load(yaml: "x: {type: [string, integer], meta: {doc: hi}}")
        #expect(!bare.allowUnknown && bare.fields[0].rules.types == [.string, .integer])
        let json = try EventSchema.load(json: "{\"schema\": {\"a\": {\"type\": \"integer\", \"default\": 3}}, \"allow_unknown\": false}")
        #expect(json.fields[0].rules.defaultValue == .int(3))
    }

    static let badSchemas: [(String, [String], String?)] = [
        ("a: {type: string, colour: red}", ["a"], "colour"),
        ("a: {type: strin}", ["a"], "type"),
        ("a: {type: dict, schema: {b: {minlength: x}}}", ["a", "schema", "b"], "minlength"),
        ("a: {regex: '(?P<n>x)'}", ["a"], "regex"),
        ("a: {regex: '(a)\\1'}", ["a"], "regex"),
        ("a: {regex: '(?=x)'}", ["a"], "regex"),
        ("a: {regex: 'x{'}", ["a"], "regex"),
        ("a: {required: yes please}", ["a"], "required"),
        ("a: {allowed: click}", ["a"], "allowed"),
        ("a: 5", ["a"], nil),
    ]

    @Test(arguments: badSchemas)
    func rejectsBadSchemas(_ yaml: String, _ path: [String], _ rule: String?) {
        do {
            _ = try EventSchema.load(yaml: yaml)
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.path == path, "\(error)")
            #expect(error.rule == rule, "\(error)")
        }
    }
}

@Suite struct RegexTests {
    static let cases: [(String, String, Bool)] = [
        ("^e\\d+$", "e123", true), ("^e\\d+$", "e", false), ("^e\\d+$", "e12x", false), ("^e\\d+$", "e1\n", false),
        ("^\\d{4}-\\d{2}-\\d{2}T.+", "2025-10-30T12:00:00Z", true), ("^\\d{4}-\\d{2}-\\d{2}T.+", "2025-10-30T", false),
        ("[a-c]+x?", "abca", true), ("[^a-c]*", "xyz", true), ("[^a-c]*", "xaz", false),
        ("e\\d", "e١", true), // Python \d is Unicode Nd
        ("(ab|cd)+", "abcdab", true), ("(ab|cd)+", "abc", false), ("(?:a|b)c*$", "accc", true),
        ("a.c", "a\nc", false), ("colou?r", "color", true), ("x{2,3}", "xxxx", false), ("\\w+", "naïve_1", true),
        ("\\s*\\S+", "  x", true), ("a{,2}", "aa", true), ("a*?b", "aaab", true), ("\\$\\d+", "$12", true),
        // Flat patterns (the fast matcher): fixed counts, giving characters back, non-ASCII text and literals.
        ("a{2}b+c", "aabbc", true), ("a{2}b+c", "abbc", false), ("\\d{3}", "12", false), ("a+a", "aaa", true),
        ("a+ab", "aab", true), (".*x", "abx", true), (".+\\d{2}", "ab12", true), (".+\\d{2}", "a1", false),
        ("a.b", "aéb", true), ("a.b", "a\nb", false), ("é+x", "ééx", true), ("é+x", "eex", false), ("[é]{2}", "éé", true),
        ("x\\d{2}.", "x12\n", false), ("x\\d{2}.", "x12é", true),
    ]

    @Test(arguments: cases)
    func matchesLikePythonFullmatch(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try PythonRegex(pattern).matches(text) == expected, "\(pattern) ~ \(text.debugDescription)")
    }

    @Test func simplePatternsUseFastMatcher() throws {
        #expect(try PythonRegex("^e\\d+$").usesFastMatcher)
        #expect(try PythonRegex("^\\d{4}-\\d{2}-\\d{2}T.+").usesFastMatcher)
        #expect(try PythonRegex("a{2}b+c").usesFastMatcher && PythonRegex("é+x").usesFastMatcher)
        #expect(try !PythonRegex("(a|b)").usesFastMatcher)
    }
}

@Suite struct ValidatorTests {
    let pi2 = Validator(schema: try! EventSchema.load(contentsOf: TestSupport.fixture("pi2_events.schema.yaml")))

    func doc(_ text: String) -> JSONObject { (try! TestSupport.decode(text)).objectValue! }

    @Test func cerberusMessagesAndMachineForm() {
        let r = pi2.validate(doc("{\"event_id\":\"x1\",\"ts\":\"2025-10-30T12:00:00Z\",\"usuario_id\":0,\"accion\":\"cart\",\"monto\":-1}"))
        #expect(!r.isValid)
        let e = r.cerberusErrors.objectValue!
        #expect(e["event_id"] == .array([.string("value does not match regex '^e\\d+$'")]))
        #expect(e["usuario_id"] == .array([.string("min value is 1")]))
        #expect(e["accion"] == .array([.string("unallowed value cart")]))
        #expect(e["monto"] == .array([.string("min value is 0")]))
        #expect(r.errors.contains(ValidationError(path: ["usuario_id"], rule: "min", constraint: "1", message: "min value is 1")))
    }

    @Test func deviationsAreDeliberate() {
        let base = "\"event_id\":\"e1\",\"ts\":\"2025-10-30T12:00:00Z\",\"accion\":\"click\""
        #expect(pi2.validate(doc("{\(base),\"usuario_id\":true}")).errors.first?.message == "must be of integer type")
        #expect(pi2.validate(doc("{\(base),\"usuario_id\":1,\"monto\":false}")).errors.first?.message == "must be of float type")
        #expect(pi2.validate(doc("{\(base),\"usuario_id\":1,\"monto\":12}")).isValid) // float accepts ints, like Cerberus
        let nl = pi2.validate(doc("{\"event_id\":\"e1\\n\",\"ts\":\"2025-10-30T12:00:00Z\",\"accion\":\"click\",\"usuario_id\":1}"))
        #expect(nl.errors.first?.rule == "regex")
    }

    @Test func countsUnknownTopLevelFields() {
        let base = "\"event_id\":\"e1\",\"ts\":\"2025-10-30T12:00:00Z\",\"accion\":\"click\",\"usuario_id\":1"
        #expect(pi2.validate(doc("{\(base)}")).unknownFieldCount == 0)
        #expect(pi2.validate(doc("{\(base),\"x\":1,\"y\":{\"z\":2}}")).unknownFieldCount == 2)
        #expect(pi2.validate(doc("{\"x\":1}")).unknownFieldCount == 1) // counted on invalid documents too
        #expect(pi2.validate(JSONValue.int(1)).unknownFieldCount == 0)
    }

    @Test func defaultsAreAppliedToTheOutput() throws {
        let v = Validator(schema: try EventSchema.load(contentsOf: TestSupport.fixture("defaults.yaml")))
        let r = v.validate(doc("{\"ratio\":null,\"count\":null,\"opts\":{\"size\":2}}"))
        #expect(r.isValid, "\(r.errors)")
        #expect(r.document["kind"] == .string("basic"))
        #expect(r.document["count"] == .int(0))
        #expect(r.document["ratio"] == .null) // nullable: a null is kept
        #expect(r.document["label"] == .string("none"))
        #expect(r.document["opts"]?.objectValue?["color"] == .string("red"))
    }
}
