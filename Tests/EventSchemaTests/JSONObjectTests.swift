import Testing
@testable import EventSchema

@Suite struct JSONObjectTests {
    @Test func keysCompareByCodePoints() {
        #expect(JSONObject.sameKey("event_id", "event_id"))
        #expect(JSONObject.sameKey("", ""))
        #expect(!JSONObject.sameKey("event_id", "event_ie"))
        #expect(!JSONObject.sameKey("ts", "tsx"))
        let long = String(repeating: "k", count: 40)  // past the small-string size: heap storage
        #expect(JSONObject.sameKey(long + "é", String(long + "é")))
        #expect(!JSONObject.sameKey(long + "a", long + "b"))
        // Canonically equivalent, different code points: equal `String`s, different keys.
        #expect("\u{E9}" == "e\u{301}" && !JSONObject.sameKey("\u{E9}", "e\u{301}"))
        #expect("\u{212A}" == "K" && !JSONObject.sameKey("\u{212A}", "K"))
        // A string built from a Substring and a literal with the same bytes.
        #expect(JSONObject.sameKey(String("xaccionx".dropFirst().dropLast()), "accion"))
    }

    @Test func hintedLookupMatchesTheSubscript() throws {
        guard case .object(let o) = try TestSupport.decode("{\"a\":1,\"b\":2,\"\\u00e9\":3,\"e\\u0301\":4}") else {
            Issue.record("not an object"); return
        }
        for key in ["a", "b", "\u{E9}", "e\u{301}", "c", ""] {
            for hint in -1...5 { #expect(o.value(forKey: key, hint: hint) == o[key], "\(key) at \(hint)") }
        }
        let many = "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        guard case .object(let big) = try TestSupport.decode(many) else { Issue.record("not an object"); return }
        #expect(big.value(forKey: "k17", hint: 17) == .int(17) && big.value(forKey: "k17", hint: 3) == .int(17))
        #expect(big.value(forKey: "k40", hint: 39) == nil)
    }
}
