/// Per-page value buffers of a `ColumnChunkWriter` plus the chunk's dictionary and statistics.
/// Ingestion validates the `ColumnValues` case against the physical type, records definition levels and nulls,
/// updates statistics, and dictionary- or PLAIN-encodes each value. A value type so the hot loops run on
/// an `inout` copy without per-access exclusivity checks.
struct ColumnIngest {
    let column: ColumnDescriptor
    let fixedWidth: Int
    var defLevels: [UInt32] = []
    var pageLevelCount = 0
    var plainValues: [UInt8] = []
    var indices: [UInt32] = []
    var bools: [Bool] = []
    var dictionary: ByteDictionary
    /// Used instead of `dictionary` for 4/8-byte numeric columns.
    var fixedDictionary: FixedDictionary
    var dictionaryActive: Bool
    /// Non-null values dictionary-encoded in the current chunk.
    var dictionaryValueCount = 0
    /// Scratch: the non-null fixed-width values of the slice being appended, as 64-bit bit patterns.
    private var keys: [UInt64] = []
    var stats: StatisticsAccumulator
    /// Small-string front cache of `dictionary` for `.string` values.
    var smallStrings = SmallStringCache()

    init(column: ColumnDescriptor, fixedWidth: Int, dictionaryEnabled: Bool) {
        self.column = column
        self.fixedWidth = fixedWidth
        dictionary = ByteDictionary(lengthPrefixed: column.physicalType == .byteArray)
        fixedDictionary = FixedDictionary(width: fixedWidth)
        dictionaryActive = dictionaryEnabled && column.physicalType != .boolean
        stats = StatisticsAccumulator(column: column)
    }

    /// Returns the dictionary index when the dictionary is active.
    @inline(__always) @discardableResult
    private mutating func putBytes(_ p: UnsafeRawBufferPointer) -> UInt32? {
        if dictionaryActive {
            let (idx, isNew) = dictionary.insert(p)
            indices.append(idx)
            dictionaryValueCount += 1
            if isNew { stats.add(bytes: p) }
            return idx
        } else {
            if fixedWidth == 0 { PlainEncoding.appendByteArray(p, to: &plainValues) } else { PlainEncoding.appendBytes(p, to: &plainValues) }
            stats.add(bytes: p)
            return nil
        }
    }

    /// True when this column uses `fixedDictionary` (INT32/INT64/FLOAT/DOUBLE).
    var usesFixedDictionary: Bool {
        switch column.physicalType {
        case .int32, .int64, .float, .double: return true
        default: return false
        }
    }
    var dictionaryCount: Int { usesFixedDictionary ? fixedDictionary.count : dictionary.count }
    var dictionaryBytes: Int { usesFixedDictionary ? fixedDictionary.byteSize : dictionary.byteSize }
    var dictionaryPlain: [UInt8] { usesFixedDictionary ? fixedDictionary.plain : dictionary.plain }

    mutating func resetDictionary(enabled: Bool) {
        dictionary = ByteDictionary(lengthPrefixed: column.physicalType == .byteArray)
        fixedDictionary = FixedDictionary(width: fixedWidth)
        dictionaryActive = enabled && column.physicalType != .boolean
        dictionaryValueCount = 0
        smallStrings = SmallStringCache()
    }

    /// Dictionary- or PLAIN-encodes the fixed-width values gathered in `keys` (bit patterns, zero- or
    /// sign-extended to 64 bits) and empties it. Batching lets `FixedDictionary` overlap its cache misses.
    private mutating func putKeys() {
        if dictionaryActive {
            keys.withUnsafeBufferPointer { fixedDictionary.insert($0, appendingTo: &indices) }
            dictionaryValueCount += keys.count
        } else if fixedWidth == 4 {
            for k in keys { PlainEncoding.append(UInt32(truncatingIfNeeded: k), to: &plainValues) }
        } else {
            for k in keys { PlainEncoding.append(k, to: &plainValues) }
        }
        keys.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private mutating func level(_ present: Bool) throws {
        pageLevelCount += 1
        if column.isOptional {
            defLevels.append(present ? 1 : 0)
            if !present { stats.nullCount += 1 }
        } else if !present {
            throw ParquetError.invalidArgument("null value in required column '\(column.name)'")
        }
    }

    private func mismatch(_ values: ColumnValues) -> ParquetError {
        .invalidArgument("column '\(column.name)' (\(column.physicalType)) cannot take \(values.kindName) values")
    }

    /// Fixed-width PLAIN values can be stored as their in-memory bytes (little-endian host).
    static let fastPlain: Bool = { 1.littleEndian == 1 }()

    /// PLAIN-appends the non-null values of `a[range]` (fixed width, little-endian host) with one buffer growth.
    private mutating func appendPlain<T: BitwiseCopyable>(_ a: [T?], _ range: Range<Int>) {
        let size = MemoryLayout<T>.size
        var out: [UInt8] = []
        swap(&out, &plainValues)
        out.append(contentsOf: repeatElement(0, count: range.count * size))
        var w = out.count - range.count * size
        out.withUnsafeMutableBytes { dst in
            a.withUnsafeBufferPointer { src in
                for i in range {
                    if let v = src[i] {
                        dst.storeBytes(of: v, toByteOffset: w, as: T.self)
                        w += size
                    }
                }
            }
        }
        out.removeLast(out.count - w)
        swap(&out, &plainValues)
    }

    /// Bytes per value (length prefix included) `appendPlainStrings` reserves: the previous slice's average
    /// plus slack, so the zero-filled spare space stays close to what is written.
    private var plainStringWidth = 16

    /// PLAIN-appends (4-byte length + UTF-8) the non-null strings of `a[range]` through a pointer, recording
    /// levels and statistics. `plainValues` is extended by zero-filled spare space, written into, and trimmed
    /// to the bytes written, so there is no per-value capacity/uniqueness check or append call.
    private mutating func appendPlainStrings(_ a: [String?], _ range: Range<Int>) throws {
        var out: [UInt8] = []
        swap(&out, &plainValues)
        defer { swap(&out, &plainValues) }
        let start = out.count
        var w = start
        var i = range.lowerBound
        while i < range.upperBound {
            // Spare space for the rest of the slice; always enough for the next value, so each round progresses.
            var spare = max(64, (range.upperBound - i) * plainStringWidth)
            if let s = a[i] { spare = max(spare, 4 + s.utf8.count) }
            out.append(contentsOf: repeatElement(0, count: spare))
            i = try out.withUnsafeMutableBytes { dst -> Int in
                var j = i
                while j < range.upperBound {
                    guard let s = a[j] else {
                        try level(false)
                        j += 1
                        continue
                    }
                    let n = s.utf8.count
                    if 4 + n > dst.count - w { break }
                    try level(true)
                    dst.storeBytes(of: UInt32(truncatingIfNeeded: n).littleEndian, toByteOffset: w, as: UInt32.self)
                    let value = UnsafeMutableRawBufferPointer(rebasing: dst[(w + 4)..<(w + 4 + n)])
                    if s.utf8.withContiguousStorageIfAvailable({ value.copyMemory(from: UnsafeRawBufferPointer($0)) }) == nil {
                        _ = value.initializeMemory(as: UInt8.self, from: s.utf8)  // non-contiguous (bridged) string
                    }
                    stats.add(bytes: UnsafeRawBufferPointer(value))
                    w += 4 + n
                    j += 1
                }
                return j
            }
            out.removeLast(out.count - w)
            if i < range.upperBound { plainStringWidth *= 2 }  // values longer than estimated: reserve more
        }
        plainStringWidth = (w - start) / max(1, range.count) + 8
    }

    /// Appends the fixed-width values `a[range]`: definition levels and statistics in one pass through
    /// pointers, then either the dictionary (via `keys`, each value's 64-bit `key`) or, on a little-endian host,
    /// PLAIN bytes copied straight from `a`. Throws `.invalidArgument` (nothing recorded) on a null in a
    /// required column.
    @inline(__always)
    private mutating func scan<T: BitwiseCopyable>(_ a: [T?], _ range: Range<Int>, key: (T) -> UInt64,
                                                   stat: (inout StatisticsAccumulator, T) -> Void) throws {
        let gatherKeys = dictionaryActive || !Self.fastPlain
        let optional = column.isOptional
        let levelBase = defLevels.count
        if optional { defLevels.append(contentsOf: repeatElement(1, count: range.count)) }
        let keyBase = keys.count
        if gatherKeys { keys.append(contentsOf: repeatElement(0, count: range.count)) }
        var st = stats
        var nulls = 0
        var written = 0
        a.withUnsafeBufferPointer { src in
            keys.withUnsafeMutableBufferPointer { k in
                defLevels.withUnsafeMutableBufferPointer { d in
                    for i in range {
                        if let v = src[i] {
                            stat(&st, v)
                            if gatherKeys { k[keyBase + written] = key(v); written += 1 }
                        } else {
                            nulls += 1
                            if optional { d[levelBase + i - range.lowerBound] = 0 }
                        }
                    }
                }
            }
        }
        if gatherKeys { keys.removeLast(range.count - written) }
        if nulls > 0 && !optional {
            keys.removeLast(written)
            throw ParquetError.invalidArgument("null value in required column '\(column.name)'")
        }
        st.nullCount += Int64(nulls)
        stats = st
        pageLevelCount += range.count
        if gatherKeys { putKeys() } else { appendPlain(a, range) }
    }

    /// Appends rows `range` of `values`. Throws `.invalidArgument` on type mismatch, nulls in a required column,
    /// or a FIXED_LEN_BYTE_ARRAY value of the wrong length.
    mutating func append(_ values: ColumnValues, range: Range<Int>) throws {
        switch (values, column.physicalType) {
        case (.boolean(let a), .boolean):
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] { bools.append(v); stats.add(bool: v) }
            }
        case (.int32(let a), .int32):
            let unsigned = stats.order == .unsignedInt
            try scan(a, range, key: { UInt64(truncatingIfNeeded: $0) },
                     stat: { $0.add(int: Int64($1), bits: unsigned ? UInt64(UInt32(bitPattern: $1)) : 0) })
        case (.int64(let a), .int64):
            try scan(a, range, key: { UInt64(bitPattern: $0) }, stat: { $0.add(int: $1, bits: UInt64(bitPattern: $1)) })
        case (.float(let a), .float):
            try scan(a, range, key: { UInt64($0.bitPattern) }, stat: { $0.add(double: Double($1)) })
        case (.double(let a), .double):
            try scan(a, range, key: { $0.bitPattern }, stat: { $0.add(double: $1) })
        case (.string(let a), .byteArray) where !dictionaryActive:
            try appendPlainStrings(a, range)
        case (.string(let a), .byteArray):
            for i in range {
                try level(a[i] != nil)
                if let s = a[i] {
                    if dictionaryActive, let idx = smallStrings.lookup(s) {
                        indices.append(idx)
                        dictionaryValueCount += 1
                        continue
                    }
                    let done: Void? = s.utf8.withContiguousStorageIfAvailable {
                        let p = UnsafeRawBufferPointer($0)
                        if let idx = putBytes(p), p.count <= 15 { smallStrings.record(s, utf8: p, index: idx) }
                    }
                    if done == nil { _ = Array(s.utf8).withUnsafeBytes { putBytes($0) } }
                }
            }
        case (.byteArray(let a), .byteArray):
            for i in range {
                try level(a[i] != nil)
                if let b = a[i] { _ = b.withUnsafeBytes { putBytes($0) } }
            }
        case (.fixedLenByteArray(let a), .fixedLenByteArray(let n)), (.byteArray(let a), .fixedLenByteArray(let n)):
            for i in range {
                try level(a[i] != nil)
                if let b = a[i] {
                    guard b.count == n else {
                        throw ParquetError.invalidArgument("column '\(column.name)' needs \(n)-byte values, got \(b.count) bytes at row \(i)")
                    }
                    _ = b.withUnsafeBytes { putBytes($0) }
                }
            }
        default:
            throw mismatch(values)
        }
    }
}
