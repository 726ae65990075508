/// The byte-level state machine behind ``StrictJSONDecoder``. Not public.
struct JSONParser {
    let p: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    var i = 0
    /// The root object's declared member names; nil: no member is told apart (and no span recorded).
    var declared: DeclaredMembers?
    /// The spans of the root members `declared` does not name by code points, in document order.
    var undeclaredSpans: [JSONMemberSpan] = []
    /// The root member being read: its key's range, where its value starts, and whether its span is recorded.
    private var rootKey = 0..<0
    private var rootValueStart = 0
    private var rootMemberRecorded = false
    /// Whether the value being read is only checked (an undeclared root member's, or inside one).
    var skipping = false
    /// The keys of the root members whose values are skipped (a skipped key never equals a kept one: see
    /// `readRootKey`), then those of the objects open inside the value being skipped, for duplicate checks.
    var skippedKeys: [SkippedKey] = []
    /// The root object's frame over its skipped keys, `skippedKeys[0...]`.
    private var skippedRootFrame = Frame(isObject: true, valueStart: 0, keyStart: 0)
    /// The decoded bytes of skipped keys written with escapes.
    var escapedKeyBytes: [UInt8] = []
    /// The number of root members read so far (the position hint for `declared`).
    private var rootMemberCount = 0
    /// The declared names (their indexes below 64) whose keys the root object has had so far.
    private var declaredSeen: UInt64 = 0

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
        /// The fingerprints' top seven bits of the skipped keys of this object so far, as a 128-bit set (see
        /// `pushSkippedKey`).
        var keyFilter: (low: UInt64, high: UInt64) = (0, 0)
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
    ///
    /// While `skipping` (the value of an undeclared root member, see `declared`), values are checked exactly as
    /// when they are built, with the same rejections at the same offsets, but strings are not copied and
    /// containers are not built: their entries only serve the duplicate-key checks and are dropped on close.
    mutating func parseValueTree() throws(JSONDecodeError) -> JSONValue {
        var top: Frame? = nil
        var outer: [Frame] = []
        var entries: [JSONObject.Element] = []
        entries.reserveCapacity(16)
        while true {
            skipWhitespace()
            guard i < end else { throw fail(.syntax, i) }
            if declared != nil && outer.isEmpty && top?.isObject == true { rootValueStart = i }
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
                    done = skipping ? .null : isObject ? .object(JSONObject()) : .array([])
                } else {
                    if let enclosing = top { outer.append(enclosing) }
                    top = Frame(isObject: isObject, valueStart: entries.count, keyStart: skipping ? skippedKeys.count : entries.count)
                    if isObject { try readKey(&top!, &entries, isRoot: outer.isEmpty) }
                    continue
                }
            case UInt8(ascii: "\""):
                if skipping { try skipString(); done = .null } else { done = .string(try parseString()) }
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
                    if outer.isEmpty {
                        // A root member is complete; a skipped one's key is in `skippedKeys`, not in `entries`.
                        if rootMemberRecorded {
                            undeclaredSpans.append(JSONMemberSpan(key: rootKey, value: rootValueStart..<i, isSkipped: skipping))
                        }
                        if skipping { skipping = false } else { entries[entries.count - 1].value = done }
                    } else if !skipping {
                        entries[entries.count - 1].value = done
                    }
                } else if !skipping {
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
                    if skipping {
                        skippedKeys.removeSubrange(container.keyStart...)
                        done = .null
                    } else {
                        done = .object(JSONObject(uniquePairs: Self.takeMembers(from: container.valueStart, of: &entries, isRoot: top == nil)))
                    }
                } else if !container.isObject && d == UInt8(ascii: "]") {
                    if skipping {
                        done = .null
                    } else {
                        let arr = entries[container.valueStart...].map(\.value)
                        entries.removeSubrange(container.valueStart...)
                        done = .array(arr)
                    }
                    top = outer.popLast()
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

    /// Reads `"key" :` for the innermost object `frame`, rejecting duplicates, and pushes the entry (to
    /// `skippedKeys` inside a skipped value). `isRoot`: the frame is the root object, whose keys are matched against
    /// `declared` when it is set (see `readRootKey`).
    mutating func readKey(_ frame: inout Frame, _ entries: inout [JSONObject.Element], isRoot: Bool) throws(JSONDecodeError) {
        skipWhitespace()
        guard i < end, p[i] == UInt8(ascii: "\"") else { throw fail(.syntax, i) }
        let at = i
        if skipping {
            try pushSkippedKey(try scanSkippedKey(), at: at, &frame)
        } else if isRoot, let declared {
            try readRootKey(at: at, declared, &frame, &entries)
        } else {
            try Self.push(try parseString(), at: at, &frame, &entries)
        }
        skipWhitespace()
        guard i < end, p[i] == UInt8(ascii: ":") else { throw fail(.syntax, i) }
        i += 1
    }

    /// Reads a root member's key and matches it against `declared` by its bytes: a declared key gets its name's
    /// `String` (none is made) and is checked for duplicates by the name's index (`declaredSeen`); an undeclared
    /// member's span is recorded, and when its value is to be skipped, its key goes to `skippedKeys` (no `String` is
    /// made for it) and `skipping` is set. Each list is checked for duplicates on its own: equal keys have the same
    /// code points, hence both are the same declared name, both are undeclared (skipped) or both are neither.
    private mutating func readRootKey(at: Int, _ declared: DeclaredMembers, _ frame: inout Frame,
                                      _ entries: inout [JSONObject.Element]) throws(JSONDecodeError) {
        let key = try scanSkippedKey()
        rootKey = at..<i
        let position = rootMemberCount
        rootMemberCount += 1
        if let index = declaredIndex(of: key, in: declared, position: position) {
            rootMemberRecorded = false
            let name = declared.names[index]
            guard index < 64 else { return try Self.push(name, at: at, &frame, &entries) }
            let bit: UInt64 = 1 << UInt64(index)
            if declaredSeen & bit != 0 { throw fail(.duplicateKey, at) }
            declaredSeen |= bit
            entries.append((name, .null))
            return
        }
        rootMemberRecorded = true
        if !isEquivalentToDeclared(key, declared) && declared.skipsUndeclaredValues {
            skipping = true
            var rootFrame = Frame(isObject: true, valueStart: 0, keyStart: 0)
            swap(&rootFrame, &skippedRootFrame)
            defer { swap(&rootFrame, &skippedRootFrame) }
            try pushSkippedKey(key, at: at, &rootFrame)
        } else {
            try Self.push(string(of: key), at: at, &frame, &entries)
        }
    }

    /// Appends `key` (read at offset `at`) to the members `entries[frame.keyStart...]` of one object with a
    /// placeholder value, or rejects it as a duplicate: a scan for a few members, a hash set past 16.
    @inline(__always)
    static func push(_ key: String, at: Int, _ frame: inout Frame, _ entries: inout [JSONObject.Element]) throws(JSONDecodeError) {
        let start = frame.keyStart
        if frame.seen != nil {
            if frame.seen!.insert(CodePointKey(key)).inserted == false { throw JSONDecodeError(.duplicateKey, at: at) }
        } else {
            for k in start..<entries.count where JSONObject.sameKey(entries[k].key, key) { throw JSONDecodeError(.duplicateKey, at: at) }
            if entries.count - start >= 16 {
                frame.seen = Set(entries[start...].map { CodePointKey($0.key) })
                frame.seen!.insert(CodePointKey(key))
            }
        }
        entries.append((key, .null))
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
