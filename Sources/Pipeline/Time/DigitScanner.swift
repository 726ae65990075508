/// A cursor over ASCII bytes for the time parsers: fixed-width digits, fractions, literals and UTC offsets.
struct DigitScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    /// Reads exactly `count` ASCII digits.
    mutating func digits(_ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for i in index..<(index + count) {
            let c = bytes[i] &- 48
            guard c < 10 else { return nil }
            value = value * 10 + Int(c)
        }
        index += count
        return value
    }

    /// Consumes `byte` if it is next.
    mutating func expect(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Reads 1–9 fractional digits and returns them as microseconds (extra precision is truncated).
    mutating func fraction() -> Int64? {
        var micros: Int64 = 0
        var count = 0
        while index < bytes.count, bytes[index] &- 48 < 10 {
            if count < 6 { micros = micros * 10 + Int64(bytes[index] - 48) }
            count += 1
            index += 1
        }
        guard count >= 1, count <= 9 else { return nil }
        if count < 6 { for _ in count..<6 { micros *= 10 } }
        return micros
    }

    /// Reads an optional UTC offset: nothing (UTC), `Z`, `±HH`, `±HHMM` or `±HH:MM`. Returns seconds east of UTC.
    mutating func offset() -> Int? {
        if atEnd { return 0 }
        if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) { return 0 }
        let sign: Int
        if expect(UInt8(ascii: "+")) { sign = 1 } else if expect(UInt8(ascii: "-")) { sign = -1 } else { return nil }
        guard let hours = digits(2), hours <= 23 else { return nil }
        var minutes = 0
        if !atEnd {
            _ = expect(UInt8(ascii: ":"))
            guard let m = digits(2), m <= 59 else { return nil }
            minutes = m
        }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// Validates the fields and returns microseconds since the epoch in UTC, or nil for an impossible instant.
    static func combine(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                        micros: Int64, offsetSeconds: Int) -> Int64? {
        guard year >= 1, (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        let days = CivilTime.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        let instant = seconds * CivilTime.microsPerSecond + micros
        // The UTC offset can move a local time at the edge of the calendar outside it (`9999-12-31T23:59:59-01:00`
        // is in the year 10000 UTC); a lake date must be a real year 0001–9999.
        guard EventTimeParser.representable.contains(instant) else { return nil }
        return instant
    }
}
