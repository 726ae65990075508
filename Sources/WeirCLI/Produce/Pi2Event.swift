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

    /// A JSON string literal (escapes quotes, backslashes and control characters).
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

/// UTC civil-date arithmetic (days since 1970-01-01 ↔ y-m-d), after Howard Hinnant's algorithms.
enum CivilDate {
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func ymd(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `YYYY-MM-DD`.
    static func dateString(_ days: Int) -> String {
        let (y, m, d) = ymd(days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// Python `datetime.isoformat()` of an aware UTC datetime: `2025-10-28T13:05:09.123456+00:00`
    /// (no fractional part when the microsecond is 0).
    static func isoformat(epochMicros: Int64) -> String {
        let days = Int(epochMicros / 86_400_000_000)
        let inDay = Int(epochMicros % 86_400_000_000)
        let secs = inDay / 1_000_000, micros = inDay % 1_000_000
        let time = "\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2))"
        return dateString(days) + "T" + time + (micros == 0 ? "" : "." + pad(micros, 6)) + "+00:00"
    }
}
