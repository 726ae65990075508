import Foundation

/// RFC 3339 formatting of microsecond timestamps in UTC, e.g. `2025-10-30T12:00:00.123456Z`.
public enum RFC3339 {
    public static func format(micros: Int64) -> String {
        let day = CivilTime.day(ofMicros: micros)
        let (y, m, d) = CivilTime.civilDate(daysSinceEpoch: day)
        let inDay = micros - day * CivilTime.microsPerDay
        let seconds = Int(inDay / CivilTime.microsPerSecond)
        let fraction = Int(inDay % CivilTime.microsPerSecond)
        return CivilTime.pad(y, 4) + "-" + CivilTime.pad(m, 2) + "-" + CivilTime.pad(d, 2) + "T"
            + CivilTime.pad(seconds / 3600, 2) + ":" + CivilTime.pad(seconds / 60 % 60, 2) + ":" + CivilTime.pad(seconds % 60, 2)
            + "." + CivilTime.pad(fraction, 6) + "Z"
    }

    /// Now, in unix microseconds.
    public static func nowMicros() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}
