import Testing
@testable import EventSchema

@Suite struct ErrorTreeTests {
    func json(_ errors: [([String], String, String)]) -> String {
        var tree = ErrorTree()
        for (path, rule, message) in errors { tree.insert(path[...], rule, message) }
        return JSONWriter.string(tree.json)
    }

    @Test func shapeLikeCerberus() {
        // Fields in order of first error; a field's messages sorted by rule, same-rule messages reversed; the
        // nested map last.
        let text = json([
            (["b"], "type", "t1"), (["a", "0"], "min", "m"), (["b"], "allowed", "a1"), (["a"], "type", "t"),
            (["b"], "type", "t2"), (["a", "1", "x"], "required", "r"), ([], "type", "ignored"),
        ])
        #expect(text == #"{"b":["a1","t2","t1"],"a":["t",{"0":["m"],"1":[{"x":["r"]}]}]}"#)
    }

    @Test func manyElementsAndEquivalentSpellings() {
        // Past the linear limit the level is indexed; the answer is the same. Keys match as Swift strings:
        // "é" in NFC and NFD are one element, written with the first spelling.
        let count = ErrorTree.linearLimit * 3
        var errors = (0..<count).map { (["items", String($0)], "type", "t\($0)") }
        errors += (0..<count).reversed().map { (["items", String($0)], "allowed", "a\($0)") }
        errors += [(["\u{E9}"], "type", "nfc"), (["e\u{301}"], "min", "nfd")]
        let items = (0..<count).map { #""\#($0)":["a\#($0)","t\#($0)"]"# }.joined(separator: ",")
        #expect(json(errors) == #"{"items":[{\#(items)}],"\#u{E9}":["nfd","nfc"]}"#)
    }
}
