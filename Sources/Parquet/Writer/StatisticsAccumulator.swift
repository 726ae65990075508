/// Running min/max/null-count for one column chunk (parquet-format "Statistics" / "ColumnOrder" sections).
/// Orderings: signed integers (unsigned for INT(…, signed=false)), floating point ignoring NaN with
/// min -0.0 / max +0.0 when the extreme is zero, unsigned bytewise for BYTE_ARRAY/FIXED_LEN_BYTE_ARRAY,
/// signed big-endian for DECIMAL byte arrays, false < true for BOOLEAN.
struct StatisticsAccumulator {
    enum Order { case boolean, signedInt, unsignedInt, floating, bytesUnsigned, bytesSignedDecimal }

    let order: Order
    let physical: PhysicalType
    var nullCount: Int64 = 0
    var hasValue = false
    var minS = Int64.max, maxS = Int64.min
    var minU = UInt64.max, maxU = UInt64.min
    var minD = Double.infinity, maxD = -Double.infinity
    var minB: [UInt8] = [], maxB: [UInt8] = []
    /// First 8 bytes of `minB`/`maxB` as big-endian integers (zero-padded), for a cheap "strictly between" test.
    var minPrefix: UInt64 = 0, maxPrefix: UInt64 = 0
    var hasFalse = false, hasTrue = false

    init(column: ColumnDescriptor) {
        physical = column.physicalType
        switch column.physicalType {
        case .boolean: order = .boolean
        case .int32, .int64: order = (column.logicalType?.isUnsignedInteger ?? false) ? .unsignedInt : .signedInt
        case .float, .double: order = .floating
        case .byteArray, .fixedLenByteArray:
            if case .decimal = column.logicalType { order = .bytesSignedDecimal } else { order = .bytesUnsigned }
        }
    }

    @inline(__always) mutating func add(int v: Int64, bits: UInt64) {
        if order == .unsignedInt {
            if bits < minU { minU = bits }
            if bits > maxU { maxU = bits }
        } else {
            if v < minS { minS = v }
            if v > maxS { maxS = v }
        }
        hasValue = true
    }

    @inline(__always) mutating func add(double v: Double) {
        if v.isNaN { return }
        if v < minD || (v == 0 && v.sign == .minus) { minD = v }
        if v > maxD || (v == 0 && v.sign == .plus && maxD == 0) { maxD = v }
        hasValue = true
    }

    @inline(__always) mutating func add(bool v: Bool) {
        if v { hasTrue = true } else { hasFalse = true }
        hasValue = true
    }

    /// The first 8 bytes of `p` as a big-endian integer, zero-padded. If `prefix(p) > prefix(q)` then `p > q`
    /// in unsigned byte order (the first difference is within 8 bytes, or `q` is a proper prefix of `p`).
    @inline(__always)
    static func prefix(_ p: UnsafeRawBufferPointer) -> UInt64 {
        if p.count >= 8 { return UInt64(bigEndian: p.loadUnaligned(as: UInt64.self)) }
        var w: UInt64 = 0
        for i in 0..<p.count { w |= UInt64(p[i]) << UInt64(56 - 8 * i) }
        return w
    }

    mutating func add(bytes p: UnsafeRawBufferPointer) {
        if !hasValue {
            minB = Array(p); maxB = Array(p); hasValue = true
            minPrefix = Self.prefix(p); maxPrefix = minPrefix
            return
        }
        if order == .bytesUnsigned {
            let k = Self.prefix(p)
            if k > minPrefix && k < maxPrefix { return }  // strictly between min and max
        }
        let cmpMin = minB.withUnsafeBytes { compare(p, $0) }
        if cmpMin < 0 { minB = Array(p); minPrefix = Self.prefix(p) }
        let cmpMax = maxB.withUnsafeBytes { compare(p, $0) }
        if cmpMax > 0 { maxB = Array(p); maxPrefix = Self.prefix(p) }
    }

    private func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        order == .bytesSignedDecimal ? compareBigEndianSigned(a, b) : compareBytesUnsigned(a, b)
    }

    /// Builds the thrift statistics. Legacy min/max only where signed ordering is correct.
    func build() -> ColumnStatistics {
        var s = ColumnStatistics(nullCount: nullCount)
        guard hasValue else { return s }
        var minBytes: [UInt8] = [], maxBytes: [UInt8] = []
        switch order {
        case .boolean:
            minBytes = [hasFalse ? 0 : 1]; maxBytes = [hasTrue ? 1 : 0]
        case .signedInt, .unsignedInt:
            let lo = order == .signedInt ? UInt64(bitPattern: minS) : minU
            let hi = order == .signedInt ? UInt64(bitPattern: maxS) : maxU
            if physical == .int32 {
                PlainEncoding.append(UInt32(truncatingIfNeeded: lo), to: &minBytes)
                PlainEncoding.append(UInt32(truncatingIfNeeded: hi), to: &maxBytes)
            } else {
                PlainEncoding.append(lo, to: &minBytes)
                PlainEncoding.append(hi, to: &maxBytes)
            }
        case .floating:
            let lo = minD == 0 ? -0.0 : minD
            let hi = maxD == 0 ? 0.0 : maxD
            if physical == .float {
                PlainEncoding.append(Float(lo).bitPattern, to: &minBytes)
                PlainEncoding.append(Float(hi).bitPattern, to: &maxBytes)
            } else {
                PlainEncoding.append(lo.bitPattern, to: &minBytes)
                PlainEncoding.append(hi.bitPattern, to: &maxBytes)
            }
        case .bytesUnsigned, .bytesSignedDecimal:
            minBytes = minB; maxBytes = maxB
        }
        s.minValue = minBytes
        s.maxValue = maxBytes
        if order == .signedInt || order == .floating || order == .boolean {
            s.legacyMin = minBytes
            s.legacyMax = maxBytes
        }
        return s
    }
}

/// Compares two big-endian two's-complement integers of possibly different lengths.
func compareBigEndianSigned(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let aNeg = (a.first ?? 0) & 0x80 != 0
    let bNeg = (b.first ?? 0) & 0x80 != 0
    if aNeg != bNeg { return aNeg ? -1 : 1 }
    let n = max(a.count, b.count)
    let pad: UInt8 = aNeg ? 0xFF : 0
    for i in 0..<n {
        let ai = i - (n - a.count), bi = i - (n - b.count)
        let x = ai >= 0 ? a[ai] : pad
        let y = bi >= 0 ? b[bi] : pad
        if x != y { return x < y ? -1 : 1 }
    }
    return 0
}
