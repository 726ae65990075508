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

    @inline(__always)
    private mutating func putFixed<T: FixedWidthInteger>(_ v: T) {
        if dictionaryActive {
            indices.append(fixedDictionary.insert(UInt64(truncatingIfNeeded: v)))
            dictionaryValueCount += 1
        } else {
            PlainEncoding.append(v, to: &plainValues)
        }
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

    /// Appends rows `range` of `values`. Throws `.invalidArgument` on type mismatch, nulls in a required column,
    /// or a FIXED_LEN_BYTE_ARRAY value of the wrong length.
    mutating func append(_ values: ColumnValues, range: Range<Int>) throws {
        switch (values, column.physicalType) {
        case (.boolean(let a), .boolean):
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] { bools.append(v); stats.add(bool: v) }
            }
        case (.int32(let a), .int32) where Self.fastPlain && !dictionaryActive:
            let unsigned = stats.order == .unsignedInt
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] { stats.add(int: Int64(v), bits: unsigned ? UInt64(UInt32(bitPattern: v)) : 0) }
            }
            appendPlain(a, range)
        case (.int64(let a), .int64) where Self.fastPlain && !dictionaryActive:
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] { stats.add(int: v, bits: UInt64(bitPattern: v)) }
            }
            appendPlain(a, range)
        case (.float(let a), .float) where Self.fastPlain && !dictionaryActive:
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] { stats.add(double: Double(v)) }
            }
            appendPlain(a, range)
        case (.double(let a), .double) where Self.fastPlain && !dictionaryActive:
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] { stats.add(double: v) }
            }
            appendPlain(a, range)
        case (.int32(let a), .int32):
            let unsigned = stats.order == .unsignedInt
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] {
                    stats.add(int: Int64(v), bits: unsigned ? UInt64(UInt32(bitPattern: v)) : 0)
                    putFixed(v)
                }
            }
        case (.int64(let a), .int64):
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] {
                    stats.add(int: v, bits: UInt64(bitPattern: v))
                    putFixed(v)
                }
            }
        case (.float(let a), .float):
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] { stats.add(double: Double(v)); putFixed(v.bitPattern) }
            }
        case (.double(let a), .double):
            for i in range {
                try level(a[i] != nil)
                if let v = a[i] { stats.add(double: v); putFixed(v.bitPattern) }
            }
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
                    if done == nil { Array(s.utf8).withUnsafeBytes { putBytes($0) } }
                }
            }
        case (.byteArray(let a), .byteArray):
            for i in range {
                try level(a[i] != nil)
                if let b = a[i] { b.withUnsafeBytes { putBytes($0) } }
            }
        case (.fixedLenByteArray(let a), .fixedLenByteArray(let n)), (.byteArray(let a), .fixedLenByteArray(let n)):
            for i in range {
                try level(a[i] != nil)
                if let b = a[i] {
                    guard b.count == n else {
                        throw ParquetError.invalidArgument("column '\(column.name)' needs \(n)-byte values, got \(b.count) bytes at row \(i)")
                    }
                    b.withUnsafeBytes { putBytes($0) }
                }
            }
        default:
            throw mismatch(values)
        }
    }
}
