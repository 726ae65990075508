import Testing
@testable import EventSchema

/// `StrictJSONDecoder.decodeFlat` and `Validator.acceptsFlat` (issue 21): the flat path may decline any document,
/// but what it takes, it must take exactly as the general path (`decode(_:declared:undeclared:)` with undeclared
/// values skipped, then `validate`) does: the same declared values, the same spans, the same verdict.
@Suite struct FlatDecodeTests {
    /// Decodes `bytes` both ways; records an issue when the flat path takes a document the general path rejects or
    /// decodes differently, or declines a flat document the general path accepts.
    static func expectAgreement(_ bytes: [UInt8], names: [String], limits: JSONLimits = .init(),
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let decoder = StrictJSONDecoder(limits: limits)
        let declared = DeclaredMembers(names, skipsUndeclaredValues: true)
        var spans: [JSONMemberSpan] = [], flatSpans: [JSONMemberSpan] = []
        var values: [JSONValue?] = [.string("left over"), nil, .int(1)]
        let general = Result { () throws(JSONDecodeError) in try decoder.decode(bytes, declared: declared, undeclared: &spans) }
        let took = decoder.decodeFlat(bytes, declared: declared, values: &values, undeclared: &flatSpans)
        let label = String(decoding: bytes, as: UTF8.self).debugDescription
        guard case .success(.object(let object)) = general else {
            #expect(!took, "\(label): the flat path took what the general path gives as \(general)", sourceLocation: sourceLocation)
            return
        }
        let isContainer: (JSONValue) -> Bool = {
            if case .object = $0 { return true }
            if case .array = $0 { return true }
            return false
        }
        // The general path reports a canonically equivalent key's span without skipping it: the flat path declines.
        // It also declines a declared name at index 64 or more (past its bit set of names seen).
        let isFlat = !object.contains { isContainer($0.value) } && spans.allSatisfy(\.isSkipped)
            && object.allSatisfy { member in (names.firstIndex { CodePointKey($0) == CodePointKey(member.key) } ?? 0) < 64 }
        #expect(took == isFlat, "\(label): flat \(took), expected \(isFlat)", sourceLocation: sourceLocation)
        guard took else { return }
        #expect(values.count == names.count, "\(label)", sourceLocation: sourceLocation)
        for (name, value) in zip(names, values) {
            #expect(object.value(forKey: name, hint: 0) == value, "\(label): \(name)", sourceLocation: sourceLocation)
        }
        #expect(object.count == values.compactMap { $0 }.count, "\(label)", sourceLocation: sourceLocation)
        #expect(flatSpans == spans, "\(label)", sourceLocation: sourceLocation)
    }

    @Test func handWrittenDocuments() {
        let names = ["a", "b"]
        for doc in [#"{}"#, #" { } "#, #"{"a":1}"#, #"{"b":"x","a":null}"#, #"{"a":true,"z":[1,{"k":[]}],"b":-0.5e3}"#,
                    #"{"a":1,"a":2}"#, #"{"z":1,"z":2}"#, #"{"z":{"k":1,"k":2}}"#, #"{"a":{"k":1}}"#, #"{"a":[1]}"#,
                    #"{"a":1,}"#, #"{"a":1} x"#, #"[1]"#, #""a""#, #"{"a":1e999}"#, #"{"a":"\ud800"}"#,
                    #"{"a":12345678901234567890}"#, #"{"\u0061":1,"a":2}"#, #"{"\u0061":"x"}"#, #"{"z":"\u00e9","b":"é"}"#,
                    #"{"a":NaN}"#, #"{"a" 1}"#, "{\"a\":1", "{\"a\":\"\u{01}\"}", #"{"a":01}"#] {
            Self.expectAgreement(Array(doc.utf8), names: names)
        }
        Self.expectAgreement([0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8), names: names)
        Self.expectAgreement(Array(#"{"a":1,"z":""#.utf8) + [0xE9] + Array(#""}"#.utf8), names: names)
        // A key canonically equivalent to a declared name (e + U+0301 for é): the validator would check it as the field.
        Self.expectAgreement(Array("{\"e\u{301}\":1}".utf8), names: ["\u{E9}"])
        // Keys compared in place at their expected position: a longer key, a name JSON must escape.
        Self.expectAgreement(Array(#"{"ab":1,"a":2}"#.utf8), names: ["a", "b"])
        Self.expectAgreement(Array(#"{"a":1,"bb":2,"b":3}"#.utf8), names: ["a", "b"])
        Self.expectAgreement(Array(#"{"q\"x":1,"t\\":2}"#.utf8), names: ["q\"x", "t\\"])
        // A declared name at index 64 or more.
        let many = (0..<70).map { "f\($0)" }
        Self.expectAgreement(Array(#"{"f1":1,"f69":2}"#.utf8), names: many)
        Self.expectAgreement(Array(#"{"f1":1,"f2":2}"#.utf8), names: many)
    }

    /// Depth counts from the root through skipped values, as in the general path.
    @Test func depthLimitThroughSkippedValues() {
        for maxDepth in 1...5 {
            for nesting in 0...5 {
                let doc = #"{"a":1,"z":"# + String(repeating: "[", count: nesting) + "0" + String(repeating: "]", count: nesting) + "}"
                Self.expectAgreement(Array(doc.utf8), names: ["a"], limits: JSONLimits(maxDepth: maxDepth))
                let empty = #"{"z":"# + String(repeating: "{\"k\":", count: nesting) + "{}" + String(repeating: "}", count: nesting) + "}"
                Self.expectAgreement(Array(empty.utf8), names: ["a"], limits: JSONLimits(maxDepth: maxDepth))
            }
        }
    }

    /// The random documents of `DeclaredMembersTests`, whole and with bytes changed, inserted or removed.
    @Test func randomDocumentsAgree() {
        var rng = XorShift(seed: 0xF1A7_0021)
        let names = ["event_id", "ts", "n"]
        var took = 0
        for round in 0..<8_000 {
            var doc = Array(DeclaredMembersTests.randomDocument(&rng, names: names).utf8)
            if round % 2 == 1 {
                for _ in 0..<(1 + Int(rng.next() % 3)) { DeclaredMembersTests.mutate(&doc, &rng) }
            }
            Self.expectAgreement(doc, names: names, limits: JSONLimits(maxDepth: 6))
            var values: [JSONValue?] = [], spans: [JSONMemberSpan] = []
            if StrictJSONDecoder(limits: JSONLimits(maxDepth: 6)).decodeFlat(
                doc, declared: DeclaredMembers(names, skipsUndeclaredValues: true), values: &values, undeclared: &spans) {
                took += 1
            }
        }
        // The generator makes flat documents often enough for the comparison to mean something.
        #expect(took > 1_000)
    }

    /// `acceptsFlat` gives `validate`'s verdict on documents of scalar values, for every rule it can meet there.
    @Test func validatorVerdictsAgree() throws {
        let schema = try EventSchema.load(yaml: """
            allow_unknown: true
            schema:
              id: {type: string, required: true, regex: '^e\\d+$', minlength: 2, maxlength: 8}
              n: {type: integer, min: 1, max: 100, nullable: true}
              x: {type: [float, string], min: 0.5, forbidden: [7, 'no']}
              s: {type: string, allowed: [a, b, 'é'], empty: true}
              e: {type: string, empty: false}
              b: {type: boolean, required: true}
              any: {nullable: true}
              d: {type: dict, schema: {k: {type: integer}}}
              l: {type: list, schema: {type: integer}}
              k: {type: dict, keysrules: {type: string, regex: '[a-z]+'}}
            """)
        let validator = Validator(schema: schema)
        #expect(validator.checksFlatDocuments)
        // Per field, values that pass its rules, then values that fail one of them.
        let pools: [(good: [JSONValue?], bad: [JSONValue?])] = [
            ([.string("e1"), .string("e1234567")], [nil, .string("e12345678"), .string("x1"), .string("e"), .int(1), .null]),
            ([nil, .null, .int(1), .int(100)], [.int(101), .int(0), .double(1.0), .bigInt("123456789012345678901234")]),
            ([nil, .double(0.5), .string("yes"), .int(8)], [.double(0.25), .int(7), .double(7.0), .string("no"), .bool(true), .null]),
            ([nil, .string(""), .string("a"), .string("b"), .string("\u{E9}")], [.string("e\u{301}"), .string("c"), .int(1)]),
            ([nil, .string("a")], [.string(""), .null]),
            ([.bool(true), .bool(false)], [nil, .int(1)]),
            ([nil, .null, .int(1), .string("z"), .bool(false)], []),
            ([nil], [.int(1), .null]),
            ([nil], [.int(1), .string("s")]),
            ([nil], [.string("s"), .null]),
        ]
        #expect(pools.count == schema.fields.count)
        var rng = XorShift(seed: 0xACCE_0021)
        var accepted = 0
        for _ in 0..<20_000 {
            let values = pools.map { pool in
                let from = pool.bad.isEmpty || rng.next() % 8 != 0 ? pool.good : pool.bad
                return from[Int(rng.next() % UInt64(from.count))]
            }
            let object = JSONObject(zip(schema.fields, values).compactMap { field, value in value.map { (field.name, $0) } })
            let verdict = validator.validate(object).isValid
            #expect(validator.acceptsFlat(values) == verdict, "\(values)")
            if verdict { accepted += 1 }
        }
        #expect(accepted > 2_000 && accepted < 18_000, "accepted \(accepted)")
        #expect(!validator.acceptsFlat([]))
        #expect(!Validator(schema: try EventSchema.load(yaml: "allow_unknown: true\nschema:\n  a: {default: 1}\n")).checksFlatDocuments)
        #expect(!Validator(schema: try EventSchema.load(yaml: "a: {type: string}")).checksFlatDocuments)
    }
}
