/// A strict RFC 8259 JSON decoder over raw bytes.
///
/// Rejects (each with its own ``JSONRejection``): empty input, invalid UTF-8, lone `\u`
/// surrogates, a leading BOM, `NaN`/`Infinity`/overflowing numbers, duplicate keys, trailing
/// garbage, nesting deeper than ``JSONLimits/maxDepth`` and messages larger than
/// ``JSONLimits/maxBytes``. Whitespace (RFC 8259 §2: space, tab, LF, CR) around the value is fine.
///
/// The parser is iterative (an explicit container stack), so hostile nesting cannot overflow the
/// call stack; the depth limit is checked before each container is opened.
public struct StrictJSONDecoder: Sendable {
    public let limits: JSONLimits

    /// - Parameter limits: size and depth limits; defaults to 64 levels and 1 MiB.
    public init(limits: JSONLimits = .init()) { self.limits = limits }

    /// Decodes one JSON text (RFC 8259 §2 `JSON-text`).
    /// - Throws: ``JSONDecodeError`` with the rejection reason and byte offset.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(JSONDecodeError) -> JSONValue {
        if bytes.count > limits.maxBytes { throw JSONDecodeError(.tooLarge, at: limits.maxBytes) }
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw JSONDecodeError(.empty, at: 0) }
        var parser = JSONParser(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count,
                                maxDepth: limits.maxDepth)
        return try parser.parseDocument()
    }

    /// Decodes one JSON text whose root object's members are expected to be `declared`, and reports where the
    /// others are in `bytes`, so that a caller can keep their original text instead of writing their values again.
    /// When `declared.skipsUndeclaredValues` is set, the undeclared members' values are checked as strictly as
    /// any other (the same rejections, at the same offsets, as ``decode(_:)-(UnsafeRawBufferPointer)``) but not
    /// built, and the returned object holds only the other members.
    /// - Parameters:
    ///   - declared: the root object's declared member names (see ``DeclaredMembers`` for how keys match).
    ///   - undeclared: replaced by one span per root member whose key is not a declared name by code points, in
    ///     document order; empty when the root is not an object; unspecified when decoding throws.
    /// - Throws: ``JSONDecodeError`` like ``decode(_:)-(UnsafeRawBufferPointer)``.
    public func decode(_ bytes: UnsafeRawBufferPointer, declared: DeclaredMembers,
                       undeclared: inout [JSONMemberSpan]) throws(JSONDecodeError) -> JSONValue {
        undeclared.removeAll(keepingCapacity: true)
        if bytes.count > limits.maxBytes { throw JSONDecodeError(.tooLarge, at: limits.maxBytes) }
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw JSONDecodeError(.empty, at: 0) }
        var parser = JSONParser(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count,
                                maxDepth: limits.maxDepth)
        parser.declared = declared
        if declared.skipsUndeclaredValues { parser.skippedKeys.reserveCapacity(32) }
        swap(&parser.undeclaredSpans, &undeclared)
        defer { swap(&parser.undeclaredSpans, &undeclared) }
        return try parser.parseDocument()
    }

    /// Decodes a *flat* document: a root object whose members named by `declared` all have scalar values (string,
    /// number, `true`, `false`, `null`), each put in `values` at its name's index in `declared` (nil for an absent
    /// member). The values of the other members are checked as strictly as any other, not built, and reported in
    /// `undeclared` (one skipped span each, in document order).
    ///
    /// A fast path for callers that can use it: it returns false, leaving `values` and `undeclared` unspecified,
    /// whenever the input is not such a document or is not valid JSON; ``decode(_:declared:undeclared:)-([UInt8],_,_)``
    /// then gives the answer (and the rejection). When it returns true, that call would have returned an object
    /// with the same declared members and values, and the same spans.
    /// - Parameters:
    ///   - declared: the root object's declared names; the undeclared members are skipped whatever its
    ///     ``DeclaredMembers/skipsUndeclaredValues`` says.
    ///   - values: resized to `declared`'s name count and overwritten.
    ///   - undeclared: replaced by the undeclared members' spans.
    public func decodeFlat(_ bytes: [UInt8], declared: DeclaredMembers, values: inout [JSONValue?],
                           undeclared: inout [JSONMemberSpan]) -> Bool {
        undeclared.removeAll(keepingCapacity: true)
        let count = declared.count
        if values.count != count {
            values = Array(repeating: nil, count: count)
        } else {
            for k in 0..<count { values[k] = nil }
        }
        guard bytes.count <= limits.maxBytes, !bytes.isEmpty else { return false }
        return bytes.withUnsafeBufferPointer { input in
            values.withUnsafeMutableBufferPointer { slots in
                var parser = JSONParser(base: input.baseAddress!, count: input.count, maxDepth: limits.maxDepth)
                swap(&parser.undeclaredSpans, &undeclared)
                defer { swap(&parser.undeclaredSpans, &undeclared) }
                do { try parser.parseFlatRoot(declared, values: slots) } catch { return false }
                return true
            }
        }
    }

    /// Decodes one JSON text from a byte array. See ``decode(_:)-(UnsafeRawBufferPointer)``.
    public func decode(_ bytes: [UInt8]) throws(JSONDecodeError) -> JSONValue {
        let result: Result<JSONValue, JSONDecodeError> = bytes.withUnsafeBytes { raw in
            do throws(JSONDecodeError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes one JSON text from a byte array, telling its root members apart by `declared`. See
    /// ``decode(_:declared:undeclared:)-(UnsafeRawBufferPointer,_,_)``.
    public func decode(_ bytes: [UInt8], declared: DeclaredMembers,
                       undeclared: inout [JSONMemberSpan]) throws(JSONDecodeError) -> JSONValue {
        let result: Result<JSONValue, JSONDecodeError> = bytes.withUnsafeBytes { raw in
            do throws(JSONDecodeError) {
                return .success(try decode(raw, declared: declared, undeclared: &undeclared))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes one JSON text from the UTF-8 of a string.
    public func decode(_ text: String) throws(JSONDecodeError) -> JSONValue {
        try decode(Array(text.utf8))
    }
}

/// Where one member of a root JSON object is in the decoded bytes: `key` covers the key's quoted text (quotes and
/// escapes included, as written), `value` the value's text (a container from its bracket to its closing bracket).
/// Both are valid JSON on their own. `isSkipped`: the value was checked but not built, and the member is not in
/// the decoded object.
public struct JSONMemberSpan: Sendable, Equatable {
    public let key: Range<Int>
    public let value: Range<Int>
    public let isSkipped: Bool

    public init(key: Range<Int>, value: Range<Int>, isSkipped: Bool = false) {
        self.key = key
        self.value = value
        self.isSkipped = isSkipped
    }
}
