import Testing
@testable import EventSchema

@Suite struct JSONDecoderTests {
    @Test(arguments: [
        ("", JSONRejection.empty), ("   \n", .empty),
        ("{\"a\":", .syntax), ("{'a': 1}", .syntax), ("[1,]", .syntax), ("{\"a\":1,}", .syntax), ("01", .syntax),
        ("\"a\u{01}b\"", .syntax), ("\"\\x\"", .syntax), ("1.", .syntax), ("-", .syntax), ("tru", .syntax),
        ("\"\\ud800\"", .loneSurrogate), ("\"\\udc00\"", .loneSurrogate), ("\"\\ud800\\u0041\"", .loneSurrogate),
        ("NaN", .nonFiniteNumber), ("Infinity", .nonFiniteNumber), ("-Infinity", .nonFiniteNumber),
        ("{\"m\":NaN}", .nonFiniteNumber), ("1e400", .nonFiniteNumber), ("-1e999", .nonFiniteNumber),
        ("{\"a\":1,\"a\":2}", .duplicateKey), ("{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", .duplicateKey),
        ("{} x", .trailingGarbage), ("{}{}", .trailingGarbage), ("1 2", .trailingGarbage),
    ])
    func rejects(_ text: String, _ reason: JSONRejection) {
        #expect(TestSupport.rejection(text) == reason, "\(text.debugDescription)")
    }

    @Test func rejectsBytesLevelProblems() {
        #expect(TestSupport.rejection([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .byteOrderMark)
        #expect(TestSupport.rejection(Array("\"caf".utf8) + [0xE9] + Array("\"".utf8)) == .invalidUTF8) // latin-1
        #expect(TestSupport.rejection([0xFF] + Array("{}".utf8)) == .invalidUTF8)
        #expect(TestSupport.rejection(Array("\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"".utf8)) == .invalidUTF8) // encoded surrogate
        #expect(TestSupport.rejection(Array("\"".utf8) + [0xC0, 0xAF] + Array("\"".utf8)) == .invalidUTF8) // overlong
    }

    @Test func limits() {
        let big = "[" + String(repeating: "1,", count: 600) + "1]"
        #expect(TestSupport.rejection(big, limits: JSONLimits(maxBytes: 1000)) == .tooLarge)
        #expect(TestSupport.rejection(big, limits: JSONLimits(maxBytes: 2000)) == nil)
        let d64 = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let d65 = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(TestSupport.rejection(d64) == nil)
        #expect(TestSupport.rejection(d65) == .tooDeep)
        #expect(TestSupport.rejection(d65, limits: JSONLimits(maxDepth: 100)) == nil)
        // The same with non-empty innermost containers, and objects.
        #expect(TestSupport.rejection(String(repeating: "[", count: 64) + "1" + String(repeating: "]", count: 64)) == nil)
        #expect(TestSupport.rejection(String(repeating: "[", count: 65) + "1" + String(repeating: "]", count: 65)) == .tooDeep)
        let flat = JSONLimits(maxDepth: 1)
        #expect(TestSupport.rejection("{\"a\":1,\"b\":[]}", limits: flat) == .tooDeep)
        #expect(TestSupport.rejection("{\"a\":1,\"b\":\"c\"}", limits: flat) == nil)
        #expect(TestSupport.rejection("{\"a\":{\"b\":1}}", limits: JSONLimits(maxDepth: 2)) == nil)
        #expect(TestSupport.rejection("{\"a\":{\"b\":[1]}}", limits: JSONLimits(maxDepth: 2)) == .tooDeep)
    }

    @Test func hundredThousandLevelsDoNotCrash() {
        let deep = String(repeating: "{\"a\":[", count: 50_000) + "1" + String(repeating: "]}", count: 50_000)
        #expect(TestSupport.rejection(deep, limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 22)) == .tooDeep)
        let open = String(repeating: "[", count: 100_000)
        #expect(TestSupport.rejection(open, limits: JSONLimits(maxDepth: 200_000, maxBytes: 1 << 22)) == .syntax)
    }

    @Test func errorOffsets() throws {
        do throws(JSONDecodeError) { _ = try StrictJSONDecoder().decode(Array("{\"a\":1} x".utf8)) } catch {
            #expect(error.rejection == .trailingGarbage)
            #expect(error.byteOffset == 8)
        }
    }

    @Test func intFloatBigInt() throws {
        #expect(try TestSupport.decode("5") == .int(5))
        #expect(try TestSupport.decode("5.0") == .double(5.0))
        #expect(try TestSupport.decode("1e2") == .double(100))
        #expect(try TestSupport.decode("-0") == .int(0))
        #expect(try TestSupport.decode("9223372036854775807") == .int(.max))
        #expect(try TestSupport.decode("-9223372036854775808") == .int(.min))
        #expect(try TestSupport.decode("9223372036854775808") == .bigInt("9223372036854775808"))
        #expect(try TestSupport.decode("-123456789012345678901234567890") == .bigInt("-123456789012345678901234567890"))
        #expect(try TestSupport.decode("0.1") == .double(0.1))
        #expect(try TestSupport.decode("123.456e-7") == .double(123.456e-7))
        #expect(try TestSupport.decode("1.7976931348623157e308") == .double(1.7976931348623157e308))
        #expect(try TestSupport.decode("3.141592653589793238462643") == .double(3.141592653589793))
    }

    @Test func unicodeAndKeyOrder() throws {
        let v = try TestSupport.decode(" {\"z\":1, \"é\":\"日本\\u00e9\\ud83d\\ude00\", \"a\":[true,false,null]} \n")
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o.keys == ["z", "é", "a"])
        #expect(o["é"] == .string("日本é😀"))
        #expect(o["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(try TestSupport.decode("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"") == .string("\"\\/\u{8}\u{c}\n\r\t"))
        #expect(try TestSupport.decode("\"\u{FEFF}x\"") == .string("\u{FEFF}x")) // a BOM inside a string is text
    }

    @Test func containersKeepTheirOwnMembers() throws {
        // Members of all open containers share one stack; the root object takes it whole.
        let o = JSONObject([("a", .object(JSONObject([("b", .int(1))]))), ("c", .array([.object(JSONObject([("d", .int(2))])), .null])),
                            ("e", .object(JSONObject()))])
        #expect(try TestSupport.decode("{\"a\":{\"b\":1},\"c\":[{\"d\":2},null],\"e\":{}}") == .object(o))
        #expect(try TestSupport.decode("[{\"a\":{\"b\":1}},{\"x\":[]}]")
                == .array([.object(JSONObject([("a", .object(JSONObject([("b", .int(1))])))])), .object(JSONObject([("x", .array([]))]))]))
        guard case .object(let root) = try TestSupport.decode("{\"k\":1,\"z\":{\"y\":2}}") else { Issue.record("not an object"); return }
        #expect(root.keys == ["k", "z"] && root["z"]?.objectValue?.keys == ["y"])
    }

    @Test func keysAreCodePointsNotCanonicalEquivalents() throws {
        // "é" (U+00E9) and "e\u0301" are different keys for Python's json, so for Weir.
        guard case .object(let o) = try TestSupport.decode("{\"\\u00e9\":1,\"e\\u0301\":2}") else { Issue.record("not an object"); return }
        #expect(o.count == 2 && o["\u{E9}"] == .int(1) && o["e\u{301}"] == .int(2))
        let many = "{" + (0..<20).map { "\"k\($0)\":0" }.joined(separator: ",") + ",\"\\u00e9\":1,\"e\\u0301\":2}"
        guard case .object(let big) = try TestSupport.decode(many) else { Issue.record("not an object"); return }
        #expect(big.count == 22 && big["e\u{301}"] == .int(2) && big["\u{E9}"] == .int(1))
    }

    @Test func bigObjectsUseIndex() throws {
        let text = "{" + (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        guard case .object(let o) = try TestSupport.decode(text) else { Issue.record("not an object"); return }
        #expect(o["k77"] == .int(77))
        #expect(o.count == 100)
        #expect(TestSupport.rejection(String(text.dropLast()) + ",\"k50\":1}") == .duplicateKey)
    }

    @Test func writerRoundTripsAndCanonicalizes() throws {
        let text = "{\"b\":12.0,\"a\":[1,-2.5,1e+16,1e-05,\"q\\\"\\\\\\n\\u0001é\"],\"c\":123456789012345678901234,\"d\":null}"
        let v = try TestSupport.decode(text)
        #expect(JSONWriter.string(v) == text)
        #expect(JSONWriter.string(v, sortedKeys: true).hasPrefix("{\"a\":[1,-2.5,"))
        #expect(try TestSupport.decode(JSONWriter.string(v)) == v)
        #expect(JSONWriter.string(.double(100)) == "100.0")
        var o = JSONObject([("x", .int(1))])
        o.set("y", .bool(true)); o.set("x", .int(2))
        #expect(JSONWriter.string(.object(o)) == "{\"x\":2,\"y\":true}")
    }
}
