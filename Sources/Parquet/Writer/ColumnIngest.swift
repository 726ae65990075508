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

    init(column: ColumnDescriptor, fixedWidth: Int, dictionaryEnabled: Bool) {
        self.column = column
        self.fixedWidth = fixedWidth
        dictionary = ByteDictionary(lengthPrefixed: column.physicalType == .byteArray)
        fixedDictionary = FixedDictionary(width: fixedWidth)
        dictionaryActive = dictionaryEnabled && column.physicalType != .boolean
        stats = StatisticsAccumulator(column: column)
    }

    @inline(__always)
    private mutating func putBytes(_ p: UnsafeRawBufferPointer) {
        if dictionaryActive {
            let (idx, isNew) = dictionary.insert(p)
            indices.append(idx)
            dictionaryValueCount += 1
            if isNew { stats.add(bytes: p) }
        } else {
            if fixedWidth == 0 { PlainEncoding.appendByteArray(p, to: &plainValues) } else { PlainEncoding.appendBytes(p, to: &plainValues) }
            stats.add(bytes: p)
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
                    let done: Void? = s.utf8.withContiguousStorageIfAvailable { putBytes(UnsafeRawBufferPointer($0)) }
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
