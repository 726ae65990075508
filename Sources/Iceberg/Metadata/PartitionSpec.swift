/// A partition spec (table spec, "Partitioning"): how data files are grouped by values derived from columns.
/// Weir partitions by one time transform of the event-time column.
public struct PartitionSpec: Codable, Sendable, Equatable {
    /// `spec-id`.
    public var specID: Int32
    public var fields: [PartitionField]

    public init(specID: Int32 = 0, fields: [PartitionField]) {
        self.specID = specID
        self.fields = fields
    }

    /// The largest partition field id (`last-partition-id`); 999 when unpartitioned, per the spec.
    public var lastPartitionID: Int32 { fields.map(\.fieldID).max() ?? 999 }

    enum CodingKeys: String, CodingKey { case specID = "spec-id", fields }
}

/// One partition field: `transform(source column)`, with its own id (1000 and up).
public struct PartitionField: Codable, Sendable, Equatable {
    public var name: String
    public var transform: PartitionTransform
    /// `source-id`: the schema field the value is derived from.
    public var sourceID: Int32
    /// `field-id`.
    public var fieldID: Int32

    public init(name: String, transform: PartitionTransform, sourceID: Int32, fieldID: Int32) {
        self.name = name
        self.transform = transform
        self.sourceID = sourceID
        self.fieldID = fieldID
    }

    enum CodingKeys: String, CodingKey { case name, transform, sourceID = "source-id", fieldID = "field-id" }
}

/// The time transforms Weir partitions by (table spec, "Partition Transforms").
public enum PartitionTransform: String, Codable, Sendable, Equatable {
    /// Days since 1970-01-01 (result type `date`).
    case day
    /// Hours since 1970-01-01 00:00 UTC (result type `int`).
    case hour

    /// The partition value of a timestamp in microseconds since the epoch (floor division: times before 1970 go
    /// to the earlier day or hour).
    public func apply(micros: Int64) -> Int32 {
        let unit: Int64 = self == .day ? 86_400_000_000 : 3_600_000_000
        let q = micros / unit
        return Int32(truncatingIfNeeded: micros % unit < 0 ? q - 1 : q)
    }

    /// The Avro type of the partition value in manifests.
    public var avroType: AvroSchema { self == .day ? .date : .int }

    /// The value as the spec's human-readable string, used in data file paths: `2025-10-29` for a day,
    /// `2025-10-29-13` for an hour.
    public func humanString(_ value: Int32) -> String {
        switch self {
        case .day: return CivilDay.string(days: Int64(value))
        case .hour:
            let hours = Int64(value)
            let days = hours >= 0 ? hours / 24 : (hours - 23) / 24
            let hour = hours - days * 24
            return CivilDay.string(days: days) + "-" + (hour < 10 ? "0" : "") + String(hour)
        }
    }
}

/// Days since the epoch as `YYYY-MM-DD` (proleptic Gregorian, UTC).
enum CivilDay {
    static func string(days: Int64) -> String {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }
}
