/// The byte-level state machine behind ``StrictJSONDecoder``. Not public.
struct JSONParser {
    let p: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    var i = 0
    /// Whether to record `rootSpans` (a root object's members' byte ranges); off for most callers.
    var recordsSpans = false
    var rootSpans: [JSONMemberSpan] = []
    /// The root member being read: its key's range and where its value starts.
    private var rootKey = 0..<0
    private var rootValueStart = 0

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.p = base
        self.end = count
        self.maxDepth = maxDepth
    }

    struct Frame {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
        var seen: Set<CodePointKey>?
    }

    @inline(__always) func fail(_ r: JSONRejection, _ at: Int) -> JSONDecodeError { JSONDecodeError(r, at: at) }

    @inline(__always) mutating func skipWhitespace() {
        while i < end {
            let c = p[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    mutating func parseDocument() throws(JSONDecodeError) -> JSONValue {
        if end >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { throw fail(.byteOrderMark, 0) }
        skipWhitespace()
        if i >= end { throw fail(.empty, i) }
        let v = try parseValueTree()
        skipWhitespace()
        if i < end { throw fail(.trailingGarbage, i) }
        return v
    }

    /// Parses one value, iteratively for containers. Members of all open containers live on one
    /// stack of `(key, value)` entries (arrays use an empty key); an object member's key is pushed
    /// with a placeholder value that is filled in when the value completes. The innermost open
    /// container is `top`; `outer` holds the ones around it, so a flat document allocates no frame stack.
    mutating func parseValueTree() throws(JSONDecodeError) -> JSONValue {
        var top: Frame? = nil
        var outer: [Frame] = []
        var entries: [JSONObject.Element] = []
        entries.reserveCapacity(16)
        while true {
            skipWhitespace()
            guard i < end else { throw fail(.syntax, i) }
            if recordsSpans && outer.isEmpty && top?.isObject == true { rootValueStart = i }
            var done: JSONValue
            let c = p[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if outer.count + (top == nil ? 1 : 2) > maxDepth { throw fail(.tooDeep, i) }
                i += 1
                skipWhitespace()
                let isObject = c == UInt8(ascii: "{")
                if i < end && p[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    done = isObject ? .object(JSONObject()) : .array([])
                } else {
                    if let enclosing = top { outer.append(enclosing) }
                    top = Frame(isObject: isObject, valueStart: entries.count, keyStart: entries.count)
                    if isObject { try readKey(&top!, &entries, isRoot: outer.isEmpty) }
                    continue
                }
            case UInt8(ascii: "\""): done = .string(try parseString())
            case UInt8(ascii: "t"): try literal("true"); done = .bool(true)
            case UInt8(ascii: "f"): try literal("false"); done = .bool(false)
            case UInt8(ascii: "n"): try literal("null"); done = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): done = try parseNumber()
            case UInt8(ascii: "N"), UInt8(ascii: "I"): throw fail(.nonFiniteNumber, i)
            default: throw fail(c >= 0x80 ? nonASCIIRejection(at: i) : .syntax, i)
            }
            // Attach the completed value to its parent, closing containers as they end.
            while true {
                guard let container = top else { return done }
                if container.isObject {
                    entries[entries.count - 1].value = done
                    if recordsSpans && outer.isEmpty { rootSpans.append(JSONMemberSpan(key: rootKey, value: rootValueStart..<i)) }
                } else {
                    entries.append(("", done))
                }
                skipWhitespace()
                guard i < end else { throw fail(.syntax, i) }
                let d = p[i]
                i += 1
                if d == UInt8(ascii: ",") {
                    if container.isObject { try readKey(&top!, &entries, isRoot: outer.isEmpty) }
                    break
                }
                if container.isObject && d == UInt8(ascii: "}") {
                    top = outer.popLast()
                    done = .object(JSONObject(uniquePairs: Self.takeMembers(from: container.valueStart, of: &entries, isRoot: top == nil)))
                } else if !container.isObject && d == UInt8(ascii: "]") {
                    let arr = entries[container.valueStart...].map(\.value)
                    entries.removeSubrange(container.valueStart...)
                    top = outer.popLast()
                    done = .array(arr)
                } else {
                    throw fail(.syntax, i - 1)
                }
            }
        }
    }

    /// Removes the members `entries[start...]` of a closing object and returns them. The root object takes the
    /// whole stack as it is (nothing follows it), which saves a copy and an allocation per document.
    @inline(__always)
    static func takeMembers(from start: Int, of entries: inout [JSONObject.Element], isRoot: Bool) -> [JSONObject.Element] {
        if isRoot {
            defer { entries = [] }
            return entries
        }
        let members = Array(entries[start...])
        entries.removeSubrange(start...)
        return members
    }

    /// Reads `"key" :` for the innermost object `frame`, rejecting duplicates, and pushes the entry. `isRoot`:
    /// the frame is the root object, whose key ranges are recorded when `recordsSpans` is on.
    mutating func readKey(_ frame: inout Frame, _ entries: inout [JSONObject.Element], isRoot: Bool) throws(JSONDecodeError) {
        skipWhitespace()
        guard i < end, p[i] == UInt8(ascii: "\"") else { throw fail(.syntax, i) }
        let at = i
        let key = try parseString()
        if isRoot { rootKey = at..<i }
        let start = frame.keyStart
        if frame.seen != nil {
            if frame.seen!.insert(CodePointKey(key)).inserted == false { throw fail(.duplicateKey, at) }
        } else {
            for k in start..<entries.count where JSONObject.sameKey(entries[k].key, key) { throw fail(.duplicateKey, at) }
            if entries.count - start >= 16 {
                frame.seen = Set(entries[start...].map { CodePointKey($0.key) })
                frame.seen!.insert(CodePointKey(key))
            }
        }
        entries.append((key, .null))
        skipWhitespace()
        guard i < end, p[i] == UInt8(ascii: ":") else { throw fail(.syntax, i) }
        i += 1
    }

    mutating func literal(_ word: StaticString) throws(JSONDecodeError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { throw fail(.syntax, i) }
        let w = word.utf8Start
        for k in 0..<n where p[i + k] != w[k] { throw fail(.syntax, i) }
        i += n
    }

    /// Classifies a stray non-ASCII byte outside a string.
    func nonASCIIRejection(at k: Int) -> JSONRejection {
        UTF8Check.sequenceLength(p, k, end) == nil ? .invalidUTF8 : .syntax
    }
}
