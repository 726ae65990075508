/// Converts CSV text with a header row into JSON objects (one per data row, keys in header order).
///
/// Cells: empty → `null`; an integer that fits Int64 → JSON integer; another finite decimal number →
/// JSON float; anything else → JSON string. Quoted fields (`"a,b"`, `""` for a quote) and CRLF are
/// supported. Rows shorter than the header get `null` for the missing cells; extra cells are dropped.
public struct CSVRecordReader: Sendable {
    public let header: [String]
    private let rows: [[String]]

    public init(text: String) {
        var all = Self.parse(text)
        header = all.isEmpty ? [] : all.removeFirst()
        rows = all.filter { !($0.count == 1 && $0[0].isEmpty) }
    }

    /// One JSON object per data row.
    public var jsonLines: [String] {
        rows.map { row in
            var s = "{"
            for (i, key) in header.enumerated() {
                if i > 0 { s += ", " }
                s += Pi2Event.quote(key) + ": " + Self.cell(i < row.count ? row[i] : "")
            }
            return s + "}"
        }
    }

    /// The JSON rendering of one cell.
    public static func cell(_ text: String) -> String {
        if text.isEmpty { return "null" }
        if let i = Int64(text) { return String(i) }
        if let first = text.unicodeScalars.first, "0123456789-.".unicodeScalars.contains(first),
           text.unicodeScalars.allSatisfy({ "0123456789-+.eE".unicodeScalars.contains($0) }),
           let d = Double(text), d.isFinite {
            return "\(d)"
        }
        return Pi2Event.quote(text)
    }

    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r", let n = it.next(), n != "\n" { pending = n }
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
