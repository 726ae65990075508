import Testing
@testable import EventSchema

@Suite struct SchemaFieldsTests {
    func rules() throws -> FieldRules { try EventSchema.load(yaml: "x: {type: string}").fields[0].rules }

    @Test func smallAndLargeMapsFindTheSameFields() throws {
        let r = try rules()
        for count in [0, 1, 5, SchemaFields.linearLimit, SchemaFields.linearLimit + 1, 50] {
            let fields = SchemaFields((0..<count).map { ("f\($0)", r) })
            for i in 0..<count { #expect(fields.position(of: "f\(i)") == i) }
            #expect(fields.position(of: "f\(count)") == nil && !fields.contains("g") && fields["g"] == nil)
        }
    }

    @Test func namesMatchAsSwiftStringsWithTheLaterDuplicateWinning() throws {
        // Field names are matched with `String` equality (as the validator always has): "é" in NFC and NFD are
        // one name, and when a schema holds both spellings the later field is the one found.
        let r = try rules()
        for padding in [0, SchemaFields.linearLimit] {
            let names = (0..<padding).map { "p\($0)" } + ["\u{E9}", "K", "e\u{301}"]
            let fields = SchemaFields(names.map { ($0, r) })
            #expect(fields.position(of: "\u{E9}") == padding + 2)
            #expect(fields.position(of: "e\u{301}") == padding + 2)
            #expect(fields.position(of: "\u{212A}") == padding + 1)
        }
    }
}
