import Foundation
import Testing
import WeirTestSupport
@testable import EventSchema

/// `StrictJSONDecoder.decode(_:declared:undeclared:)` (issue 21): the undeclared members of a root object are
/// reported by their spans and, when skipped, checked without being built. Skipping must never change what is
/// accepted or rejected: every document gets the same rejection at the same offset as the plain decoder, and an
/// accepted one the same members, less the skipped ones.
@Suite struct DeclaredMembersTests {
    /// Decodes `bytes` plainly and with `names` declared (skipping and not); records an issue for any difference.
    static func expectAgreement(_ bytes: [UInt8], names: [String], limits: JSONLimits = .init(),
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let decoder = StrictJSONDecoder(limits: limits)
        let plain = Result { () throws(JSONDecodeError) in try decoder.decode(bytes) }
        for skips in [false, true] {
            var spans: [JSONMemberSpan] = []
            let declared = DeclaredMembers(names, skipsUndeclaredValues: skips)
            let result = Result { () throws(JSONDecodeError) in try decoder.decode(bytes, declared: declared, undeclared: &spans) }
            let label = "\(String(decoding: bytes, as: UTF8.self).debugDescription) skips=\(skips)"
            switch (plain, result) {
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(label)", sourceLocation: sourceLocation)
            case (.success(.object(let whole)), .success(.object(let kept))):
                let undeclared = whole.filter { member in !names.contains { CodePointKey($0) == CodePointKey(member.key) } }
                #expect(spans.count == undeclared.count, "\(label)", sourceLocation: sourceLocation)
                for (span, member) in zip(spans, undeclared) {
                    let key = try? decoder.decode(Array(bytes[span.key]))
                    let value = try? decoder.decode(Array(bytes[span.value]))
                    #expect(key == .string(member.key) && value == member.value, "\(label)", sourceLocation: sourceLocation)
                    #expect(span.isSkipped == (skips && !names.contains(member.key)), "\(label)", sourceLocation: sourceLocation)
                }
                let skipped = Set(zip(spans, undeclared).filter(\.0.isSkipped).map { CodePointKey($0.1.key) })
                let expected = whole.filter { !skipped.contains(CodePointKey($0.key)) }
                #expect(kept.keys == expected.map(\.key) && kept == JSONObject(expected.map { ($0.key, $0.value) }),
                        "\(label)", sourceLocation: sourceLocation)
            case (.success(let a), .success(let b)):
                #expect(a == b && spans.isEmpty, "\(label)", sourceLocation: sourceLocation)
            default:
                Issue.record("\(label): plain \(plain), declared \(result)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Every rejection of the decoder's own tests, placed in an undeclared member's value (first, last, nested),
    /// is reported as without skipping.
    @Test func rejectionsInsideSkippedValuesAreTheSame() {
        let values = ["\"a\u{01}b\"", "\"\\x\"", "1.", "-", "tru", "01", "[1,]", "{\"a\":1,}", "{'a': 1}",
                      "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u12\"", "NaN", "-Infinity", "1e400", "-1e999",
                      "{\"a\":1,\"a\":2}", "{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", "[{\"k\":[1,{\"k\":2,\"k\":3}]}]",
                      "\"unterminated", "{\"a\" 1}", "[1 2]", "12345678901234567890123", "-0.0e-5", "\"\\u00e9\\n\\\"\"",
                      "[[[[[[1]]]]]]", "{\"b\":{\"c\":{\"d\":{}}}}", "[]", "{}", "null", "true", "false", "\"\""]
        for v in values {
            for doc in ["{\"a\":1,\"x\":\(v)}", "{\"x\":\(v),\"a\":1}", "{\"x\": [\(v), \(v)] , \"y\":{\"z\":\(v)}}", "{\"x\":\(v)} "] {
                Self.expectAgreement(Array(doc.utf8), names: ["a"])
            }
        }
        Self.expectAgreement(Array("{\"a\":1,\"x\":".utf8) + [0xE9] + Array("}".utf8), names: ["a"])
        Self.expectAgreement(Array("{\"a\":1,\"x\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8), names: ["a"])
        // Depth is counted from the root through skipped values.
        for depth in 1...4 {
            let doc = "{\"a\":1,\"x\":" + String(repeating: "[", count: 3) + "1" + String(repeating: "]", count: 3) + "}"
            Self.expectAgreement(Array(doc.utf8), names: ["a"], limits: JSONLimits(maxDepth: depth))
        }
    }

    /// Skipped members' keys are still checked for duplicates, among themselves (past 16 members too), and keys
    /// that are equal only after unescaping count as the same.
    @Test func duplicateUndeclaredKeysAreRejected() throws {
        let decoder = StrictJSONDecoder()
        var spans: [JSONMemberSpan] = []
        let declared = DeclaredMembers(["a"], skipsUndeclaredValues: true)
        // Each document and the key whose second occurrence is the duplicate (rejected at its opening quote).
        let cases = [(#"{"a":1,"x":[1],"x":2}"#, #""x""#), (#"{"x":{"q":1},"a":1,"\u0078":2}"#, #""\u0078""#),
                     ("{" + (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k3\":0}", #""k3""#)]
        for (doc, key) in cases {
            let h = Array(doc.utf8), n = Array(key.utf8)
            let offset = (0...(h.count - n.count)).last { Array(h[$0..<($0 + n.count)]) == n } ?? -1
            #expect(throws: JSONDecodeError(.duplicateKey, at: offset)) {
                _ = try decoder.decode(Array(doc.utf8), declared: declared, undeclared: &spans)
            }
            Self.expectAgreement(Array(doc.utf8), names: ["a"])
        }
    }

    /// Keys canonically equivalent to a declared name (equal as Swift strings, as the validator matches fields)
    /// are kept, since the validator checks them as that field, and reported, since by code points they are not
    /// the name. Other undeclared keys are skipped.
    @Test func canonicallyEquivalentKeysAreKeptAndReported() throws {
        let decoder = StrictJSONDecoder()
        var spans: [JSONMemberSpan] = []
        for (name, key) in [("\u{E9}", "e\u{301}"), ("K", "\u{212A}"), ("\u{212A}", "K")] {
            let doc = Array("{\"\(key)\":1,\"zz\":[2],\"\(name)\":3}".utf8)
            let declared = DeclaredMembers([name], skipsUndeclaredValues: true)
            guard case .object(let o) = try decoder.decode(doc, declared: declared, undeclared: &spans) else {
                Issue.record("not an object"); continue
            }
            #expect(o.keys.map { Array($0.utf8) } == [Array(key.utf8), Array(name.utf8)])
            #expect(spans.map(\.isSkipped) == [false, true])
            Self.expectAgreement(doc, names: [name])
        }
    }

    /// Randomly built documents (undeclared members of every kind, keys that repeat, strings with escapes,
    /// control characters and multi-byte UTF-8 around the 8-byte boundaries of the string scan), and the same
    /// documents with bytes changed, inserted or removed: skipping agrees with the plain decoder on each.
    @Test func randomDocumentsAgree() {
        var rng = XorShift(seed: 0x5EED_0021)
        let names = ["event_id", "ts", "n"]
        for round in 0..<6_000 {
            var doc = Array(Self.randomDocument(&rng, names: names).utf8)
            if round % 2 == 1 {
                for _ in 0..<(1 + Int(rng.next() % 3)) { Self.mutate(&doc, &rng) }
            }
            Self.expectAgreement(doc, names: names, limits: JSONLimits(maxDepth: 6))
        }
    }

    static let stringPieces = ["a", "bcdefgh", "ijklmnopq", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00",
                               "\u{E9}", "\u{20AC}", "\u{1F600}", "\t", "\u{7F}", "01234567"]
    static let keyPool = ["event_id", "ts", "n", "x", "y", "user_agent", "url", "e\\u0076ent_id", "\\u0078", "x ", "k\u{E9}y"]

    static func randomString(_ rng: inout XorShift) -> String {
        "\"" + (0..<Int(rng.next() % 6)).map { _ in stringPieces[Int(rng.next() % UInt64(stringPieces.count))] }.joined() + "\""
    }

    static func randomValue(_ rng: inout XorShift, depth: Int) -> String {
        switch rng.next() % (depth > 4 ? 6 : 8) {
        case 0: return randomString(&rng)
        case 1: return ["0", "-1", "12.50", "1e2", "-0.0", "9223372036854775808", "1e400", "3.14159E-3"][Int(rng.next() % 8)]
        case 2: return ["true", "false", "null"][Int(rng.next() % 3)]
        case 3, 4: return randomString(&rng)
        case 5: return "\"" + String(repeating: "w", count: Int(rng.next() % 40)) + "\""
        case 6: return "[" + (0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1) }.joined(separator: ", ") + "]"
        default:
            return "{" + (0..<Int(rng.next() % 4)).map { _ in
                "\"\(keyPool[Int(rng.next() % 5) + 2])\":" + randomValue(&rng, depth: depth + 1)
            }.joined(separator: ",") + "}"
        }
    }

    static func randomDocument(_ rng: inout XorShift, names: [String]) -> String {
        let count = Int(rng.next() % 8)
        let members = (0..<count).map { _ in "\"\(keyPool[Int(rng.next() % UInt64(keyPool.count))])\" : " + randomValue(&rng, depth: 1) }
        return (rng.next() % 10 == 0 ? " " : "") + "{" + members.joined(separator: ",") + "}"
    }

    static func mutate(_ doc: inout [UInt8], _ rng: inout XorShift) {
        ByteMutation.apply(to: &doc, using: &rng)
    }

    /// The string scan reads eight bytes at a time: a quote, a backslash, a control character or a non-ASCII
    /// byte at any position of a word is found where it is.
    @Test func stringScanFindsEveryByteInEveryPosition() throws {
        let decoder = StrictJSONDecoder()
        for k in 0..<20 {
            let a = String(repeating: "a", count: k), b = String(repeating: "b", count: 19 - k)
            func decode(_ middle: [UInt8]) -> Result<JSONValue, JSONDecodeError> {
                Result { () throws(JSONDecodeError) in try decoder.decode(Array("\"\(a)".utf8) + middle + Array("\(b)\"".utf8)) }
            }
            #expect(decode([0x00]) == .failure(JSONDecodeError(.syntax, at: 1 + k)))
            #expect(decode([0x1F]) == .failure(JSONDecodeError(.syntax, at: 1 + k)))
            #expect(decode([0x80]) == .failure(JSONDecodeError(.invalidUTF8, at: 1 + k)))
            #expect(decode([0xFF]) == .failure(JSONDecodeError(.invalidUTF8, at: 1 + k)))
            #expect(decode([0x22]) == .failure(JSONDecodeError(.trailingGarbage, at: 2 + k)) || k == 19)
            #expect(decode([0x7F]) == .success(.string(a + "\u{7F}" + b)))
            #expect(decode([0x20]) == .success(.string(a + " " + b)))
            #expect(decode([0xC3, 0xA9]) == .success(.string(a + "\u{E9}" + b)))
            #expect(decode(Array("\\n".utf8)) == .success(.string(a + "\n" + b)))
            #expect(decode(Array("\\\"".utf8)) == .success(.string(a + "\"" + b)))
        }
    }

    @Test func validatorIgnoresUndeclaredMembersOnlyWithoutContextRules() throws {
        #expect(Validator(schema: try EventSchema.load(contentsOf: TestSupport.fixture("pi2_events.schema.yaml"))).ignoresUndeclaredMembers)
        #expect(!Validator(schema: try EventSchema.load(yaml: "a: {type: string}")).ignoresUndeclaredMembers)
        for rules in ["{type: string, dependencies: x}", "{type: string, excludes: x}",
                      "{type: dict, schema: {b: {type: integer, dependencies: ['^x']}}}",
                      "{type: list, schema: {type: dict, schema: {b: {excludes: c}}}}"] {
            let schema = try EventSchema.load(yaml: "allow_unknown: true\nschema:\n  a: \(rules)\n")
            #expect(!Validator(schema: schema).ignoresUndeclaredMembers, "\(rules)")
        }
    }
}

/// A small deterministic generator for the random documents (xorshift64*).
struct XorShift: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
