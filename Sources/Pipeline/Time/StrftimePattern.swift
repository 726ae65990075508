/// A compiled strftime-style pattern for event times, e.g. `%Y-%m-%d %H:%M:%S UTC`.
///
/// Directives: `%Y` (4 digits), `%m`, `%d`, `%H`, `%M`, `%S` (2 digits), `%f` (1–9 fractional digits),
/// `%z` (`Z`, `±HH:MM`, `±HHMM`), `%%`. Everything else must match literally. Without `%z`, times are UTC.
public struct StrftimePattern: Sendable {
    enum Piece: Sendable, Equatable { case literal(UInt8), year, month, day, hour, minute, second, fraction, offset }
    let pieces: [Piece]

    /// - Throws: `ConfigError` for an unsupported directive or a pattern without `%Y`, `%m` and `%d`.
    public init(_ text: String) throws {
        var pieces: [Piece] = []
        var bytes = Array(text.utf8).makeIterator()
        while let b = bytes.next() {
            guard b == UInt8(ascii: "%") else { pieces.append(.literal(b)); continue }
            switch bytes.next().map({ Character(Unicode.Scalar($0)) }) {
            case "Y": pieces.append(.year)
            case "m": pieces.append(.month)
            case "d": pieces.append(.day)
            case "H": pieces.append(.hour)
            case "M": pieces.append(.minute)
            case "S": pieces.append(.second)
            case "f": pieces.append(.fraction)
            case "z": pieces.append(.offset)
            case "%": pieces.append(.literal(UInt8(ascii: "%")))
            case let other:
                throw ConfigError(key: "event_time.format", message: "unsupported directive %\(other.map(String.init) ?? "") in '\(text)'",
                                  fix: "use only %Y %m %d %H %M %S %f %z %%")
            }
        }
        guard pieces.contains(.year), pieces.contains(.month), pieces.contains(.day) else {
            throw ConfigError(key: "event_time.format", message: "pattern '\(text)' lacks %Y, %m or %d",
                              fix: "a pattern must name the year, month and day")
        }
        self.pieces = pieces
    }

    /// Parses `bytes` against the pattern; microseconds since the epoch, or nil when it does not match or is impossible.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var s = DigitScanner(bytes: bytes)
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offset = 0
        var micros: Int64 = 0
        for piece in pieces {
            switch piece {
            case .literal(let b): guard s.expect(b) else { return nil }
            case .year: guard let v = s.digits(4) else { return nil }; year = v
            case .month: guard let v = s.digits(2) else { return nil }; month = v
            case .day: guard let v = s.digits(2) else { return nil }; day = v
            case .hour: guard let v = s.digits(2) else { return nil }; hour = v
            case .minute: guard let v = s.digits(2) else { return nil }; minute = v
            case .second: guard let v = s.digits(2) else { return nil }; second = v
            case .fraction: guard let v = s.fraction() else { return nil }; micros = v
            case .offset:
                guard !s.atEnd, let v = s.offset() else { return nil }
                offset = v
            }
        }
        guard s.atEnd else { return nil }
        return DigitScanner.combine(year: year, month: month, day: day, hour: hour, minute: minute,
                                    second: second, micros: micros, offsetSeconds: offset)
    }
}
