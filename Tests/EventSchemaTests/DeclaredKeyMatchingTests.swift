import Testing
@testable import EventSchema

/// How the decoder matches root keys against ``DeclaredMembers`` by their bytes (issue 21): by the name at the
/// key's position, else through the names' hash table (any number of names, escaped keys included), and how it
/// rejects a declared key given twice by the name's index instead of comparing strings.
@Suite struct DeclaredKeyMatchingTests {
    /// The offset of the last occurrence of `needle` in `text`.
    static func lastOffset(of needle: String, in text: String) -> Int {
        let h = Array(text.utf8), n = Array(needle.utf8)
        return (0...(h.count - n.count)).last { Array(h[$0..<($0 + n.count)]) == n } ?? -1
    }

    /// A declared key given twice, at any position, spelled with or without escapes, is rejected at the second
    /// occurrence's opening quote, with and without skipping, and with many names (past the 64 tracked by bits).
    @Test func declaredKeysGivenTwiceAreRejectedWhereTheSecondStarts() {
        let decoder = StrictJSONDecoder()
        var spans: [JSONMemberSpan] = []
        let many = (0..<80).map { "f\($0)" }
        let cases: [([String], String, String)] = [
            (["a", "b"], #"{"a":1,"b":2,"a":3}"#, #""a""#),
            (["a", "b"], #"{"b":1,"x":[1],"b":2}"#, #""b""#),
            (["a", "b"], #"{"a":1,"\u0061":2}"#, #""\u0061""#),
            (["a", "b"], #"{"\u0062":1,"a":0,"b":2}"#, #""b""#),
            (many, #"{"f70":1,"f1":2,"f70":3}"#, #""f70""#),
            (many, #"{"f3":1,"f63":2,"f64":3,"f63":4}"#, #""f63""#),
            (many, "{" + many.map { "\"\($0)\":0" }.joined(separator: ",") + ",\"f79\":1}", #""f79""#),
        ]
        for (names, doc, key) in cases {
            for skips in [false, true] {
                let declared = DeclaredMembers(names, skipsUndeclaredValues: skips)
                #expect(throws: JSONDecodeError(.duplicateKey, at: Self.lastOffset(of: key, in: doc)), "\(doc)") {
                    _ = try decoder.decode(Array(doc.utf8), declared: declared, undeclared: &spans)
                }
            }
            DeclaredMembersTests.expectAgreement(Array(doc.utf8), names: names)
        }
    }

    /// Every one of many names is found whatever the order of the members (not only at its position), escaped
    /// keys are found by their decoded bytes, and a key that shares a name's first and last eight bytes and length
    /// (an equal fingerprint) but differs inside is not taken for it.
    @Test func namesAreFoundInAnyOrderAndOnlyByTheirBytes() throws {
        let decoder = StrictJSONDecoder()
        var spans: [JSONMemberSpan] = []
        let names = (0..<40).map { "field_\($0)_name" } + ["abcdefgh_1_ijklmnop", "e\u{301}t\u{E9}"]
        let declared = DeclaredMembers(names, skipsUndeclaredValues: true)
        let lookAlike = #""abcdefgh_2_ijklmnop":3"#
        for escaped in [false, true] {
            let members = names.reversed().map { name in
                escaped && name == "field_7_name" ? #""f\u0069eld_7_name":1"# : "\"\(name)\":1"
            }
            let doc = Array(("{" + (members + [lookAlike]).joined(separator: ",") + "}").utf8)
            let decoded = try decoder.decode(doc, declared: declared, undeclared: &spans)
            #expect(decoded.objectValue?.keys == names.reversed())
            #expect(spans.count == 1 && spans[0].isSkipped && Array(doc[spans[0].key]) == Array(#""abcdefgh_2_ijklmnop""#.utf8))
            DeclaredMembersTests.expectAgreement(doc, names: names)
        }
    }
}
