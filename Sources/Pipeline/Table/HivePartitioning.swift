/// How event times map to Hive partition directories: `date=YYYY-MM-DD`, optionally `/hour=HH`, in UTC.
public struct HivePartitioning: Sendable, Equatable {
    /// Adds an `hour=HH` level below `date=`.
    public let byHour: Bool

    public init(byHour: Bool = false) { self.byHour = byHour }

    /// The relative directory of an event time in microseconds since the epoch, e.g. `date=2024-03-09`.
    public func directory(forMicros micros: Int64) -> String {
        let date = "date=" + CivilTime.dateString(ofMicros: micros)
        guard byHour else { return date }
        return date + "/hour=" + CivilTime.pad(CivilTime.hour(ofMicros: micros), 2)
    }

    /// A key identifying the partition of `micros` cheaply (the UTC day, or the UTC hour when `byHour`).
    @inline(__always)
    public func bucket(forMicros micros: Int64) -> Int64 {
        byHour ? (micros >= 0 ? micros / 3_600_000_000 : (micros - 3_599_999_999) / 3_600_000_000) : CivilTime.day(ofMicros: micros)
    }
}
