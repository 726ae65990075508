import Foundation
import Testing
@testable import Pipeline
import WeirTestSupport

/// Independent oracle: Foundation's Gregorian calendar in UTC.
enum FoundationTime {
    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// Microseconds since the epoch of a UTC civil time, via Foundation (whole seconds exact in a Double).
    static func micros(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Int64 {
        let date = calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
        return Int64(date.timeIntervalSince1970.rounded()) * 1_000_000
    }

    static func isValidDate(_ y: Int, _ mo: Int, _ d: Int) -> Bool {
        DateComponents(calendar: calendar, timeZone: calendar.timeZone, year: y, month: mo, day: d).isValidDate
    }
}

func pad(_ v: Int, _ w: Int) -> String {
    let s = String(v)
    return String(repeating: "0", count: max(0, w - s.count)) + s
}

@Suite struct EventTimeParserTests {
    let iso = EventTimeParser(format: .iso8601)

    @Test func zuluAndNoOffsetAreUTC() {
        let expected = FoundationTime.micros(2025, 10, 30, 12, 0, 0)
        #expect(iso.parse(text: "2025-10-30T12:00:00Z") == expected)
        #expect(iso.parse(text: "2025-10-30T12:00:00z") == expected)
        #expect(iso.parse(text: "2025-10-30T12:00:00") == expected)
        #expect(iso.parse(text: "2025-10-30 12:00:00") == expected)
        #expect(iso.parse(text: "2025-10-30T12:00") == expected)
        #expect(iso.parse(text: "2025-10-30T12:00:00+00:00") == expected)
    }

    @Test func offsetsCrossingMidnightLandOnTheUTCDay() {
        // 00:30 at +05:30 is 19:00 UTC the previous day.
        let plus = iso.parse(text: "2024-03-10T00:30:00+05:30")
        #expect(plus == FoundationTime.micros(2024, 3, 9, 19, 0, 0))
        #expect(plus.map(CivilTime.dateString(ofMicros:)) == "2024-03-09")
        // 23:30 at -05:00 is 04:30 UTC the next day.
        let minus = iso.parse(text: "2024-03-09T23:30:00-05:00")
        #expect(minus == FoundationTime.micros(2024, 3, 10, 4, 30, 0))
        #expect(minus.map(CivilTime.dateString(ofMicros:)) == "2024-03-10")
        // Compact offsets.
        #expect(iso.parse(text: "2024-03-09T23:30:00-0500") == minus)
        #expect(iso.parse(text: "2024-03-09T23:30:00-05") == minus)
        // Year boundary backwards.
        #expect(iso.parse(text: "2025-01-01T01:00:00+02:00").map(CivilTime.dateString(ofMicros:)) == "2024-12-31")
    }

    @Test func fractionsOfOneToNineDigitsTruncateToMicros() {
        let base = FoundationTime.micros(2024, 2, 29, 23, 59, 59)
        let digits = "123456789"
        for n in 1...9 {
            let frac = String(digits.prefix(n))
            // Independent: the first min(n, 6) digits scaled to 6 places.
            let micros = Int64(String(frac.prefix(6)).padding(toLength: 6, withPad: "0", startingAt: 0))!
            #expect(iso.parse(text: "2024-02-29T23:59:59.\(frac)Z") == base + micros, "\(n) digits")
        }
        #expect(iso.parse(text: "2024-02-29T23:59:59.1234567890Z") == nil, "10 digits")
        #expect(iso.parse(text: "2024-02-29T23:59:59.Z") == nil, "no digits")
        #expect(iso.parse(text: "2024-02-29T23:59:59.999999999Z") == base + 999_999, "truncated, not rounded")
    }

    @Test func impossibleInstantsAreNil() {
        #expect(iso.parse(text: "2024-02-29T00:00:00Z") != nil)
        #expect(iso.parse(text: "2023-02-29T00:00:00Z") == nil)
        #expect(iso.parse(text: "2000-02-29T00:00:00Z") != nil)
        #expect(iso.parse(text: "1900-02-29T00:00:00Z") == nil)
        #expect(iso.parse(text: "2025-13-01T00:00:00Z") == nil)
        #expect(iso.parse(text: "2025-00-10T00:00:00Z") == nil)
        #expect(iso.parse(text: "2025-10-00T00:00:00Z") == nil)
        #expect(iso.parse(text: "2025-02-30T00:00:00Z") == nil)
        #expect(iso.parse(text: "2025-04-31T00:00:00Z") == nil)
        #expect(iso.parse(text: "2025-10-30T24:00:00Z") == nil)
        #expect(iso.parse(text: "2025-10-30T12:60:00Z") == nil)
        #expect(iso.parse(text: "2025-10-30T12:00:60Z") == nil)
        #expect(iso.parse(text: "2025-10-30T12:00:00+24:00") == nil)
        #expect(iso.parse(text: "2025-10-30T12:00:00+05:60") == nil)
        #expect(iso.parse(text: "2025-10-30T12:00:00Zjunk") == nil)
        #expect(iso.parse(text: "2025-10-30") == nil)
        #expect(iso.parse(text: "") == nil)
        #expect(iso.parse(text: "+2025-10-30T12:00:00Z") == nil)
        #expect(iso.parse(text: "2025-1-30T12:00:00Z") == nil)
        // Outside 0001-01-01 ... 9999-12-31 UTC once the offset is applied (issue 15).
        #expect(iso.parse(text: "9999-12-31T23:59:59-01:00") == nil)
        #expect(iso.parse(text: "9999-12-31T23:00:00-00:01") == iso.parse(text: "9999-12-31T23:01:00Z"))
        #expect(iso.parse(text: "0001-01-01T00:00:00+01:00") == nil)
        #expect(iso.parse(text: "0001-01-01T00:59:59.999999+01:00") == nil)
        #expect(iso.parse(text: "0001-01-01T01:00:00+01:00") == -62_135_596_800_000_000)
        #expect(iso.parse(text: "9999-12-31T23:59:59.999999Z") == 253_402_300_799_999_999)
    }

    @Test func strftimePatternREES46() throws {
        let p = EventTimeParser(format: try EventTimeFormat.parse("%Y-%m-%d %H:%M:%S UTC"))
        #expect(p.parse(text: "2019-10-01 00:00:00 UTC") == FoundationTime.micros(2019, 10, 1))
        #expect(p.parse(text: "2019-10-31 23:59:59 UTC") == FoundationTime.micros(2019, 10, 31, 23, 59, 59))
        #expect(p.parse(text: "2019-10-01 00:00:00") == nil, "literal suffix missing")
        #expect(p.parse(text: "2019-10-01T00:00:00 UTC") == nil)
        #expect(p.parse(text: "2019-02-29 00:00:00 UTC") == nil)
        #expect(p.parse(text: "2019-10-01 24:00:00 UTC") == nil)
        let z = EventTimeParser(format: try EventTimeFormat.parse("%d/%m/%Y %H:%M:%S.%f%z"))
        #expect(z.parse(text: "10/03/2024 00:30:00.5+05:30") == FoundationTime.micros(2024, 3, 9, 19) + 500_000)
        // A strftime pattern with an offset is held to the same calendar range (issue 15).
        let edge = EventTimeParser(format: try EventTimeFormat.parse("%Y-%m-%d %H:%M:%S%z"))
        #expect(edge.parse(text: "9999-12-31 23:30:00-0100") == nil)
        #expect(edge.parse(text: "0001-01-01 00:30:00+0100") == nil)
        #expect(edge.parse(text: "9999-12-31 23:30:00+0100") != nil)
        #expect(throws: (any Error).self) { try EventTimeFormat.parse("%Y-%m-%d %Q") }
        #expect(throws: (any Error).self) { try EventTimeFormat.parse("%H:%M") }
        #expect(throws: (any Error).self) { try EventTimeFormat.parse("yyyy-MM-dd") }
    }

    @Test func epochNumbersOnlyWhenConfigured() throws {
        #expect(iso.parse(number: 1_700_000_000) == nil)
        #expect(EventTimeParser(format: .epochSeconds).parse(text: "1700000000") == nil)
        #expect(try EventTimeFormat.parse("epoch_seconds") == .epochSeconds)
        #expect(try EventTimeFormat.parse("epoch_millis") == .epochMillis)
        let s = EventTimeParser(format: .epochSeconds), ms = EventTimeParser(format: .epochMillis)
        #expect(s.parse(number: 1_700_000_000) == 1_700_000_000_000_000)
        #expect(s.parse(number: 1_700_000_000.25) == 1_700_000_000_250_000)
        #expect(ms.parse(number: 1_700_000_000_123) == 1_700_000_000_123_000)
        #expect(ms.parse(number: 1_700_000_000_000) == s.parse(number: 1_700_000_000))
        #expect(s.parse(number: .nan) == nil)
        #expect(s.parse(number: .infinity) == nil)
        #expect(s.parse(number: 1e300) == nil)
    }

    /// A few hundred random instants with random offsets and fractions, against Foundation's calendar.
    @Test func randomInstantsAgreeWithFoundation() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        var checked = 0
        for _ in 0..<600 {
            let y = Int.random(in: 1600...2400, using: &rng), mo = Int.random(in: 1...12, using: &rng)
            let d = Int.random(in: 1...31, using: &rng)
            let h = Int.random(in: 0...23, using: &rng), mi = Int.random(in: 0...59, using: &rng)
            let s = Int.random(in: 0...59, using: &rng)
            let fracDigits = Int.random(in: 0...9, using: &rng)
            let fracValue = fracDigits == 0 ? 0 : Int.random(in: 0..<Int(pow(10.0, Double(fracDigits))), using: &rng)
            let offMinutes = Int.random(in: -23...23, using: &rng) * 60 + [0, 15, 30, 45].randomElement(using: &rng)!
                * (Bool.random(using: &rng) ? 1 : -1)
            let clampedOff = max(-(23 * 60 + 59), min(23 * 60 + 59, offMinutes))
            var text = "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))\(Bool.random(using: &rng) ? "T" : " ")\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))"
            var fracMicros: Int64 = 0
            if fracDigits > 0 {
                let f = pad(fracValue, fracDigits)
                text += "." + f
                fracMicros = Int64(String(f.prefix(6)).padding(toLength: 6, withPad: "0", startingAt: 0))!
            }
            let sign = clampedOff < 0 ? "-" : "+"
            text += "\(sign)\(pad(abs(clampedOff) / 60, 2)):\(pad(abs(clampedOff) % 60, 2))"
            let parsed = iso.parse(text: text)
            guard FoundationTime.isValidDate(y, mo, d) else {
                #expect(parsed == nil, "\(text) is not a date")
                continue
            }
            let expected = FoundationTime.micros(y, mo, d, h, mi, s) - Int64(clampedOff) * 60_000_000 + fracMicros
            #expect(parsed == expected, "\(text)")
            // And back: the UTC date string of the instant matches Foundation's.
            if let parsed {
                let utc = Date(timeIntervalSince1970: Double(parsed / 1_000_000) + (parsed % 1_000_000 < 0 ? -1 : 0))
                let comps = FoundationTime.calendar.dateComponents([.year, .month, .day, .hour], from: utc)
                #expect(CivilTime.dateString(ofMicros: parsed) == "\(pad(comps.year!, 4))-\(pad(comps.month!, 2))-\(pad(comps.day!, 2))")
                #expect(CivilTime.hour(ofMicros: parsed) == comps.hour!)
                checked += 1
            }
        }
        #expect(checked > 300)
    }

    @Test func iso8601DateFormatterAgrees() {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        for text in ["2024-03-10T00:30:00+05:30", "1999-12-31T23:59:59-08:00", "2038-01-19T03:14:08Z", "1969-12-31T23:59:59Z",
                     "1970-01-01T00:00:00Z", "2400-02-29T12:00:00+14:00".replacingOccurrences(of: "+14:00", with: "+13:00")] {
            let expected = Int64(f.date(from: text)!.timeIntervalSince1970.rounded()) * 1_000_000
            #expect(iso.parse(text: text) == expected, "\(text)")
        }
    }
}

@Suite struct CivilTimeTests {
    @Test func daysRoundTripThroughCivilDates() {
        var rng = SplitMix64(seed: 42)
        for days in Array(-800_000...(-799_000)) + Array(-1000...1000) + (0..<500).map({ _ in Int.random(in: -2_000_000...2_000_000, using: &rng) }) {
            let d = Int64(days)
            let (y, m, dd) = CivilTime.civilDate(daysSinceEpoch: d)
            #expect(CivilTime.daysSinceEpoch(year: y, month: m, day: dd) == d)
            #expect((1...12).contains(m) && dd >= 1 && dd <= CivilTime.daysInMonth(year: y, month: m))
        }
        // Against Foundation for a sample in years 1..9999 range.
        for _ in 0..<300 {
            let days = Int64.random(in: -700_000...2_900_000, using: &rng)
            let comps = FoundationTime.calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            let (y, m, d) = CivilTime.civilDate(daysSinceEpoch: days)
            if comps.year! > 1600 { // Foundation switches to Julian before 1582
                #expect(y == comps.year! && m == comps.month! && d == comps.day!, "\(days)")
            }
        }
    }

    @Test func dateStringsAndHoursOfNegativeAndPositiveMicros() {
        #expect(CivilTime.dateString(ofMicros: 0) == "1970-01-01")
        #expect(CivilTime.dateString(ofMicros: -1) == "1969-12-31")
        #expect(CivilTime.hour(ofMicros: -1) == 23)
        #expect(CivilTime.dateString(ofMicros: -CivilTime.microsPerDay) == "1969-12-31")
        #expect(CivilTime.dateString(ofMicros: -CivilTime.microsPerDay - 1) == "1969-12-30")
        #expect(CivilTime.hour(ofMicros: 0) == 0)
        #expect(CivilTime.hour(ofMicros: 3_600_000_000 - 1) == 0)
        #expect(CivilTime.hour(ofMicros: 3_600_000_000) == 1)
        let leap = FoundationTime.micros(2024, 2, 29, 13, 5, 0)
        #expect(CivilTime.dateString(ofMicros: leap) == "2024-02-29")
        #expect(CivilTime.hour(ofMicros: leap) == 13)
        let old = FoundationTime.micros(1900, 3, 1, 7)
        #expect(CivilTime.dateString(ofMicros: old - 1) == "1900-03-01")
        #expect(CivilTime.dateString(ofMicros: old - 7 * 3_600_000_000 - 1) == "1900-02-28")
        #expect(CivilTime.hour(ofMicros: old - 1) == 6)
        #expect(CivilTime.isLeapYear(2000) && !CivilTime.isLeapYear(1900) && CivilTime.isLeapYear(2024) && !CivilTime.isLeapYear(2023))
    }

    @Test func hivePartitionDirectories() {
        let day = HivePartitioning(), hour = HivePartitioning(byHour: true)
        let t = FoundationTime.micros(2024, 3, 9, 19, 0, 0)
        #expect(day.directory(forMicros: t) == "date=2024-03-09")
        #expect(hour.directory(forMicros: t) == "date=2024-03-09/hour=19")
        #expect(hour.directory(forMicros: -1) == "date=1969-12-31/hour=23")
        #expect(day.directory(forMicros: -1) == "date=1969-12-31")
        #expect(hour.directory(forMicros: 0) == "date=1970-01-01/hour=00")
        // Buckets separate exactly what directories separate.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let a = Int64.random(in: -200_000_000_000_000...4_000_000_000_000_000, using: &rng)
            let b = a + Int64.random(in: -7_200_000_000...7_200_000_000, using: &rng)
            for p in [day, hour] {
                #expect((p.bucket(forMicros: a) == p.bucket(forMicros: b)) == (p.directory(forMicros: a) == p.directory(forMicros: b)))
            }
        }
    }
}
