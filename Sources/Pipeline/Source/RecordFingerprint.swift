/// What identifies one source record beyond its offset: its Kafka timestamp and a hash of its value.
///
/// The store keeps the fingerprint of the last record each stored offset covers. A topic that was deleted and
/// recreated (or a lake pointed at another cluster) can hold a different record at that offset; comparing
/// fingerprints tells, where comparing offsets alone only catches a new topic that is shorter.
public struct RecordFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The record's timestamp in unix milliseconds (nil when the source has none).
    public let timestampMs: Int64?
    /// 64-bit FNV-1a of the value (a tombstone hashes as the empty value with a distinct seed).
    public let valueHash: UInt64

    public init(timestampMs: Int64?, valueHash: UInt64) {
        self.timestampMs = timestampMs
        self.valueHash = valueHash
    }

    /// The fingerprint of a record with this timestamp and value.
    public init(timestampMs: Int64?, value: [UInt8]?) {
        var hash: UInt64 = value == nil ? 0x84222325CBF29CE4 : 0xCBF29CE484222325
        for byte in value ?? [] {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001B3
        }
        self.init(timestampMs: timestampMs, valueHash: hash)
    }

    public init(_ record: SourceRecord) {
        self.init(timestampMs: record.timestampMs, value: record.value)
    }

    public var description: String {
        "timestamp \(timestampMs.map { String($0) } ?? "none"), value hash \(String(valueHash, radix: 16))"
    }
}
