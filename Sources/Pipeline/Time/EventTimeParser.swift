/// Parses event times into microseconds since the Unix epoch (UTC), rejecting impossible instants.
///
/// Pure and allocation-free on the ISO 8601 path. Every failure is `nil`, which the pipeline routes to the
/// dead-letter queue as `bad_timestamp`.
public struct EventTimeParser: Sendable {
    public let format: EventTimeFormat
    private let pattern: StrftimePattern?

    public init(format: EventTimeFormat) {
        self.format = format
        if case .pattern(let text) = format { pattern = try? StrftimePattern(text) } else { pattern = nil }
    }

    /// Parses a textual time (for `.iso8601` and `.pattern`). Returns microseconds since the epoch, or nil.
    public func parse(text: String) -> Int64? {
        var text = text
        return text.withUTF8 { bytes in
            switch format {
            case .iso8601: return Self.parseISO8601(bytes)
            case .pattern: return pattern?.parse(bytes)
            case .epochSeconds, .epochMillis: return nil
            }
        }
    }

    /// Parses a numeric time (for `.epochSeconds` and `.epochMillis`). Returns microseconds, or nil when the
    /// format is textual or the value is out of the representable range (years 0001–9999).
    public func parse(number: Double) -> Int64? {
        let scale: Double
        switch format {
        case .epochSeconds: scale = 1_000_000
        case .epochMillis: scale = 1_000
        default: return nil
        }
        let micros = (number * scale).rounded(.towardZero)
        guard micros.isFinite, micros >= Double(Self.representable.lowerBound), micros < Double(Self.representable.upperBound) else { return nil }
        return Int64(micros)
    }

    /// The instants a lake date can hold, in microseconds since the epoch: 0001-01-01T00:00:00Z up to, not
    /// including, 10000-01-01T00:00:00Z. Anything outside is `bad_timestamp`, whatever its format.
    public static let representable: Range<Int64> = -62_135_596_800_000_000 ..< 253_402_300_800_000_000

    /// ISO 8601 parser over UTF-8 bytes: `YYYY-MM-DD(T| )HH:MM[:SS[.f+]][Z|z|±HH:MM|±HHMM|±HH]`.
    static func parseISO8601(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var scanner = DigitScanner(bytes: b)
        guard let year = scanner.digits(4), scanner.expect(UInt8(ascii: "-")),
              let month = scanner.digits(2), scanner.expect(UInt8(ascii: "-")),
              let day = scanner.digits(2) else { return nil }
        guard scanner.expect(UInt8(ascii: "T")) || scanner.expect(UInt8(ascii: "t")) || scanner.expect(UInt8(ascii: " ")),
              let hour = scanner.digits(2), scanner.expect(UInt8(ascii: ":")),
              let minute = scanner.digits(2) else { return nil }
        var second = 0
        var micros: Int64 = 0
        if scanner.expect(UInt8(ascii: ":")) {
            guard let s = scanner.digits(2) else { return nil }
            second = s
            if scanner.expect(UInt8(ascii: ".")) || scanner.expect(UInt8(ascii: ",")) {
                guard let f = scanner.fraction() else { return nil }
                micros = f
            }
        }
        guard let offsetSeconds = scanner.offset(), scanner.atEnd else { return nil }
        return DigitScanner.combine(year: year, month: month, day: day, hour: hour, minute: minute,
                                    second: second, micros: micros, offsetSeconds: offsetSeconds)
    }
}
