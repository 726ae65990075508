import EventSchema
import Pipeline

/// One pi2 event as the generator renders it: fields in the original notebook's order
/// (`event_id`, `ts`, `usuario_id`, `accion`, `monto`), each possibly replaced or removed to make an
/// invalid line. Rendering mirrors Python's `json.dumps` (", " and ": " separators).
struct Pi2Event {
    enum Value {
        case string(String)
        case int(Int)
        case cents(Int)  // a money amount in cents, rendered like Python's repr(round(x, 2))
        case null
    }

    var fields: [(key: String, value: Value)]

    subscript(key: String) -> Value? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let i = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[i].value = newValue } else { fields.remove(at: i) }
            }
        }
    }

    func json() -> String {
        var s = "{"
        for (i, f) in fields.enumerated() {
            if i > 0 { s += ", " }
            s += Self.quote(f.key) + ": " + Self.render(f.value)
        }
        return s + "}"
    }

    static func render(_ v: Value) -> String {
        switch v {
        case .string(let s): return quote(s)
        case .int(let i): return String(i)
        case .cents(let c): return money(c)
        case .null: return "null"
        }
    }

    /// `1234` → `12.34`, `1230` → `12.3`, `1200` → `12.0` (Python float repr of a 2-decimal amount).
    static func money(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let a = abs(cents)
        let frac = a % 100
        let f = frac == 0 ? "0" : (frac % 10 == 0 ? String(frac / 10) : (frac < 10 ? "0\(frac)" : String(frac)))
        return "\(sign)\(a / 100).\(f)"
    }

    /// A JSON string literal (escapes quotes, backslashes and control characters), via the project's writer.
    static func quote(_ s: String) -> String { JSONWriter.string(.string(s)) }
}

/// UTC civil dates for the generator, on top of `CivilTime` (days since 1970-01-01 ↔ y-m-d).
enum CivilDate {
    static func days(year: Int, month: Int, day: Int) -> Int {
        Int(CivilTime.daysSinceEpoch(year: year, month: month, day: day))
    }

    /// `YYYY-MM-DD`.
    static func dateString(_ days: Int) -> String {
        CivilTime.dateString(ofMicros: Int64(days) * CivilTime.microsPerDay)
    }

    /// Python `datetime.isoformat()` of an aware UTC datetime: `2025-10-28T13:05:09.123456+00:00`
    /// (no fractional part when the microsecond is 0).
    static func isoformat(epochMicros: Int64) -> String {
        let rfc = RFC3339.format(micros: epochMicros)  // 2025-10-28T13:05:09.123456Z
        let whole = epochMicros % CivilTime.microsPerSecond == 0
        return String(rfc.dropLast(whole ? 8 : 1)) + "+00:00"
    }
}
