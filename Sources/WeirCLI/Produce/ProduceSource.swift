import Foundation

/// Where `weir produce` gets its lines: generated pi2 events or a JSON Lines / CSV file.
enum ProduceSource {
    case generated(Pi2EventGenerator, count: Int)
    case lines([String])

    /// Reads `path`: `.csv` files (by extension) through `CSVRecordReader`, anything else as JSON Lines
    /// (blank lines skipped, each other line sent verbatim).
    static func file(_ path: String) throws -> ProduceSource {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if path.lowercased().hasSuffix(".csv") { return .lines(CSVRecordReader(text: text).jsonLines) }
        return .lines(text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
            .filter { !$0.allSatisfy(\.isWhitespace) })
    }

    var total: Int {
        switch self {
        case .generated(_, let count): return count
        case .lines(let l): return l.count
        }
    }

    /// The next `n` lines as UTF-8 payloads, starting at line `from`.
    mutating func take(_ n: Int, from: Int) -> [[UInt8]] {
        switch self {
        case .generated(var g, let count):
            let out = (0..<n).map { _ in g.next() }
            self = .generated(g, count: count)
            return out
        case .lines(let l):
            return l[from..<min(l.count, from + n)].map { Array($0.utf8) }
        }
    }

    var expected: Pi2EventGenerator.Expected? {
        if case .generated(let g, _) = self { return g.expected }
        return nil
    }
}
