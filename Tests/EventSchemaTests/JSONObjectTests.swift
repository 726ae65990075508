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
}
