/// The flat-document path of ``StrictJSONDecoder/decodeFlat(_:declared:values:undeclared:)``: a root object whose
/// declared members are all scalars, read into one slot per declared name instead of a `JSONValue` tree.
extension JSONParser {
    /// Why `parseFlatRoot` gave up on a document that may still be valid JSON: the caller decodes it the general way.
    struct NotFlat: Error {}

    /// Reads the whole input as a root object, putting each declared member's value at its name's index in `values`
    /// (which must hold `declared.names.count` slots, all nil) and checking every undeclared member's value without
    /// building it (its span is appended to `undeclaredSpans`, marked skipped).
    ///
    /// Accepts exactly what `parseDocument` accepts with `declared` set and undeclared values skipped, or less:
    /// - Throws: ``JSONDecodeError`` where `parseDocument` would reject the input (at an offset that may differ),
    ///   `NotFlat` where the input is not a flat document: the root is not an object, a declared member's value is
    ///   an object or an array, a declared name's index is 64 or more, or an undeclared key is canonically equivalent
    ///   to a declared name (the validator would treat it as that field).
    mutating func parseFlatRoot(_ declared: DeclaredMembers, values: UnsafeMutableBufferPointer<JSONValue?>) throws {
        if end >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { throw fail(.byteOrderMark, 0) }
        skipWhitespace()
        guard i < end, p[i] == UInt8(ascii: "{"), maxDepth >= 1 else { throw NotFlat() }
        i += 1
        skipWhitespace()
        if i < end && p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            var rootFrame = Frame(isObject: true, valueStart: 0, keyStart: 0)
            var seen: UInt64 = 0
            var position = 0
            while true {
                skipWhitespace()
                guard i < end, p[i] == UInt8(ascii: "\"") else { throw fail(.syntax, i) }
                let at = i
                // Events tend to follow the schema's order: the name expected here is compared first, in place.
                var key: SkippedKey?
                let index: Int?
                if let length = declared.plainNameLength(at: position, text: p + i + 1, available: end - i - 1) {
                    index = position
                    i += length + 2
                } else {
                    let scanned = try scanSkippedKey()
                    key = scanned
                    index = declaredIndex(of: scanned, in: declared, position: position)
                }
                let keyRange = at..<i
                skipWhitespace()
                guard i < end, p[i] == UInt8(ascii: ":") else { throw fail(.syntax, i) }
                i += 1
                skipWhitespace()
                guard i < end else { throw fail(.syntax, i) }
                position += 1
                if let index {
                    guard index < 64 else { throw NotFlat() }
                    let bit: UInt64 = 1 << UInt64(index)
                    if seen & bit != 0 { throw fail(.duplicateKey, at) }
                    seen |= bit
                    values[index] = try parseFlatScalar()
                } else if let key {
                    if isEquivalentToDeclared(key, declared) { throw NotFlat() }
                    try pushSkippedKey(key, at: at, &rootFrame)
                    let valueStart = i
                    try skipValue()
                    undeclaredSpans.append(JSONMemberSpan(key: keyRange, value: valueStart..<i, isSkipped: true))
                }
                skipWhitespace()
                guard i < end else { throw fail(.syntax, i) }
                let d = p[i]
                i += 1
                if d == UInt8(ascii: "}") { break }
                guard d == UInt8(ascii: ",") else { throw fail(.syntax, i - 1) }
            }
        }
        skipWhitespace()
        if i < end { throw fail(.trailingGarbage, i) }
    }

    /// A declared member's value at `i`: a string, number or literal, parsed as `parseValueTree` parses it.
    /// - Throws: `NotFlat` for an object or an array, ``JSONDecodeError`` for anything `parseValueTree` rejects.
    private mutating func parseFlatScalar() throws -> JSONValue {
        let c = p[i]
        switch c {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw NotFlat()
        case UInt8(ascii: "N"), UInt8(ascii: "I"): throw fail(.nonFiniteNumber, i)
        default: throw fail(c >= 0x80 ? nonASCIIRejection(at: i) : .syntax, i)
        }
    }

    /// Checks the value at `i`, a member of the root object, as strictly as `parseValueTree` does when it skips one
    /// (the same grammar, duplicate keys and depth limit: the root object is depth 1, so a container here is depth
    /// 2), building nothing; leaves `i` past it.
    mutating func skipValue() throws(JSONDecodeError) {
        // The containers open inside the value, innermost last (no allocation for a scalar or a flat container).
        var top: Frame? = nil
        var outer: [Frame] = []
        var unusedEntries: [JSONObject.Element] = []
        let wasSkipping = skipping
        skipping = true
        defer { skipping = wasSkipping }
        while true {
            skipWhitespace()
            guard i < end else { throw fail(.syntax, i) }
            let c = p[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                // Open containers: the root, then `outer`, then `top`; this one would be one deeper.
                let depth = 1 + outer.count + (top == nil ? 0 : 1) + 1
                if depth > maxDepth { throw fail(.tooDeep, i) }
                i += 1
                skipWhitespace()
                let isObject = c == UInt8(ascii: "{")
                if i < end && p[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                } else {
                    if let enclosing = top { outer.append(enclosing) }
                    top = Frame(isObject: isObject, valueStart: 0, keyStart: skippedKeys.count)
                    if isObject { try readKey(&top!, &unusedEntries, isRoot: false) }
                    continue
                }
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
            case UInt8(ascii: "N"), UInt8(ascii: "I"): throw fail(.nonFiniteNumber, i)
            default: throw fail(c >= 0x80 ? nonASCIIRejection(at: i) : .syntax, i)
            }
            // A value is complete: close the containers it ends.
            while true {
                guard let container = top else { return }
                skipWhitespace()
                guard i < end else { throw fail(.syntax, i) }
                let d = p[i]
                i += 1
                if d == UInt8(ascii: ",") {
                    if container.isObject { try readKey(&top!, &unusedEntries, isRoot: false) }
                    break
                }
                guard d == (container.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { throw fail(.syntax, i - 1) }
                if container.isObject { skippedKeys.removeSubrange(container.keyStart...) }
                top = outer.popLast()
            }
        }
    }
}
