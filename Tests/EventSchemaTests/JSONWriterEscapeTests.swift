import Testing
@testable import EventSchema

/// `JSONWriter.appendString` copies the text between escapes a run at a time: escapes at the start, at the end,
/// next to each other, alone, and none at all give the same literal as escaping byte by byte.
@Suite struct JSONWriterEscapeTests {
    /// The JSON literal of `text`, one byte at a time (the reference).
    static func reference(_ text: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x0C: out += Array("\\f".utf8)
            case 0..<0x20: out += Array(("\\u00" + String(b >> 4, radix: 16) + String(b & 0xF, radix: 16)).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    static func written(_ text: String) -> String {
        var out: [UInt8] = []
        JSONWriter.appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [
        "", "plain text", "\"", "\\", "\"starts", "ends\"", "mid\"dle", "\"\"\\\\\"", "a\nb\rc\td\u{8}e\u{c}f",
        "\u{1}\u{1f}x\u{0}", "{\"event_id\": \"e1\", \"monto\": null}", "é \"ü\" 日本\n", String(repeating: "ab\"", count: 100),
    ])
    func escapesLikeTheByteByByteReference(text: String) {
        #expect(Self.written(text) == Self.reference(text))
    }
}
