import SeededRandom

/// Deterministic generator of pi2 events, mirroring `/work/shared/baselines/gen_events.py` shape for shape
/// (not byte for byte: it uses its own PRNG, `SplitMix64`).
///
/// Each line is, independently:
/// - with probability `invalidRatio`: an invalid line (`wrong_type`, `missing_req`, `bad_accion`,
///   `neg_monto`, `null_req` or `malformed`), with an id `x<i>` disjoint from valid ids;
/// - else with probability `duplicateRatio / (1 − invalidRatio)`: an exact byte replay of an earlier valid
///   event (at-least-once redelivery);
/// - else a fresh valid event `{"event_id": "e<18 digits>", "ts": <ISO-8601 UTC>, "usuario_id": 1…1000,
///   "accion": click|view|purchase, "monto": 1.00…500.00 or null (80 %)}` with `ts` uniform over `days`
///   UTC days from `start`.
///
/// Ids follow `idStyle` (`EventIDStyle`): by default `e` and 18 random-looking digits, unique and the same for
/// the same seed; `.sequential` gives `e0`, `e1`, … as gen_events.py does.
///
/// `expected` summarizes what a correct pipeline must output (unique valid events, their monto sum, and
/// per-date counts) for everything generated so far. Memory: 24 bytes per valid event (kept to replay
/// duplicates; `reserve(lines:)` sets the room aside at once when the count is known).
public struct Pi2EventGenerator: Sendable {
    /// What a correct pipeline yields for the lines generated so far.
    public struct Expected: Sendable, Codable, Equatable {
        public var lines = 0
        /// Unique valid events (duplicates not counted again).
        public var validUnique = 0
        public var duplicates = 0
        public var invalid = 0
        /// Sum of `monto` over unique valid events, in cents (null counts as 0).
        public var sumMontoCents: Int64 = 0
        /// Unique valid events per UTC date (`YYYY-MM-DD`).
        public var perDate: [String: Int] = [:]
        /// Lines per category (`valid`, `duplicate`, `wrong_type`, …).
        public var categories: [String: Int] = [:]

        /// The monto sum as a decimal string with two fraction digits, e.g. `"12345.67"`.
        public var sumMonto: String {
            let sign = sumMontoCents < 0 ? "-" : ""
            let a = abs(sumMontoCents)
            let f = a % 100
            return "\(sign)\(a / 100).\(f < 10 ? "0" : "")\(f)"
        }
    }

    struct ValidParams: Sendable {
        let id: Int
        let micros: Int64
        let usuario: Int16
        let accion: UInt8
        let montoCents: Int32  // -1 = null
    }

    static let acciones = ["click", "view", "purchase"]

    public let seed: UInt64
    public let invalidRatio: Double
    public let duplicateRatio: Double
    public let days: Int
    public let idStyle: EventIDStyle
    private let idKey: UInt64
    private let startMicros: Int64
    private var rng: SplitMix64
    private var nextId = 0
    private var emitted: [ValidParams] = []
    public private(set) var expected = Expected()

    /// - Parameters: `start` is the first UTC day as `YYYY-MM-DD` (default `2025-10-28`, like the Python
    ///   generator); ratios are in 0…1; `days` ≥ 1; `idStyle` how events are numbered (random-looking by default).
    public init(seed: UInt64 = 42, invalidRatio: Double = 0.10, duplicateRatio: Double = 0.05, days: Int = 3,
                start: String = "2025-10-28", idStyle: EventIDStyle = .random) {
        self.seed = seed
        self.idStyle = idStyle
        idKey = EventIDPermutation.key(seed: seed)
        self.invalidRatio = invalidRatio
        self.duplicateRatio = duplicateRatio
        self.days = max(1, days)
        let p = start.split(separator: "-").compactMap { Int($0) }
        let d = p.count == 3 ? CivilDate.days(year: p[0], month: p[1], day: p[2]) : 20_389
        startMicros = Int64(d) * 86_400_000_000
        rng = SplitMix64(seed: seed)
    }

    /// Reserves the replay memory of `lines` more lines at once (24 bytes of address space per line, at most
    /// `maxReservedLines`; pages are touched only as valid events are kept), so it does not grow by copying: a
    /// copy holds the old and the new array at once, and the last one of a 5M-event `weir simulate` added about
    /// 100 MB to its peak RSS.
    public mutating func reserve(lines: Int) {
        emitted.reserveCapacity(emitted.count + min(max(0, lines), Self.maxReservedLines))
    }

    /// The most lines `reserve(lines:)` sets room aside for (768 MiB of address space).
    public static let maxReservedLines = 1 << 25

    /// The next line (UTF-8 JSON text without a trailing newline, or a malformed line).
    public mutating func next() -> [UInt8] {
        Array(nextLine().utf8)
    }

    /// The next line as a `String`.
    public mutating func nextLine() -> String {
        expected.lines += 1
        let r = rng.unit()
        if r < invalidRatio {
            let (category, line) = invalidLine()
            expected.invalid += 1
            expected.categories[category, default: 0] += 1
            return line
        }
        if !emitted.isEmpty, rng.unit() < duplicateRatio / max(1e-12, 1 - invalidRatio) {
            expected.duplicates += 1
            expected.categories["duplicate", default: 0] += 1
            return render(emitted[rng.int(0...(emitted.count - 1))]).json()
        }
        let params = validParams()
        emitted.append(params)
        expected.validUnique += 1
        expected.categories["valid", default: 0] += 1
        if params.montoCents >= 0 { expected.sumMontoCents += Int64(params.montoCents) }
        expected.perDate[CivilDate.dateString(Int(params.micros / 86_400_000_000)), default: 0] += 1
        return render(params).json()
    }

    private mutating func validParams() -> ValidParams {
        let id = nextId
        nextId += 1
        let span = Int64(days) * 86_400_000_000
        let micros = startMicros + Int64.random(in: 0..<span, using: &rng)
        let usuario = Int16(rng.int(1...1000))
        let accion = UInt8(rng.int(0...2))
        let monto: Int32 = rng.unit() > 0.8 ? Int32(rng.int(100...50_000)) : -1
        return ValidParams(id: id, micros: micros, usuario: usuario, accion: accion, montoCents: monto)
    }

    func render(_ p: ValidParams, id: String? = nil) -> Pi2Event {
        Pi2Event(fields: [
            ("event_id", .string(id ?? "e" + idStyle.digits(p.id, key: idKey))),
            ("ts", .string(CivilDate.isoformat(epochMicros: p.micros))),
            ("usuario_id", .int(Int(p.usuario))),
            ("accion", .string(Self.acciones[Int(p.accion)])),
            ("monto", p.montoCents >= 0 ? .cents(Int(p.montoCents)) : .null),
        ])
    }

    private mutating func invalidLine() -> (String, String) {
        let p = validParams()
        let xid = "x" + idStyle.digits(p.id, key: idKey)
        var ev = render(p, id: xid)
        let category = rng.pick(["wrong_type", "missing_req", "bad_accion", "neg_monto", "null_req", "malformed"])
        switch category {
        case "wrong_type":
            switch rng.pick(["usuario_id", "monto", "event_id", "ts"]) {
            case "usuario_id": ev["usuario_id"] = .string(String(p.usuario))
            case "monto": ev["monto"] = .string("12.5")
            case "event_id": ev["event_id"] = .int(p.id)
            default: ev["ts"] = .int(1_730_000_000)
            }
        case "missing_req": ev[rng.pick(["event_id", "ts", "usuario_id"])] = nil
        case "bad_accion": ev["accion"] = .string(rng.pick(["buy", "CLICK", ""]))
        case "neg_monto": ev["monto"] = .cents(-rng.int(1...50_000))
        case "null_req": ev[rng.pick(["event_id", "ts", "usuario_id"])] = .null
        default:
            let s = ev.json()
            switch rng.pick(["truncated", "garbage", "array", "string"]) {
            case "truncated": return (category, String(s.prefix(rng.int(1...(s.count - 1)))))
            case "garbage": return (category, "{'event_id': '\(xid)', ts: oops}")
            case "array": return (category, "[" + s + "]")
            default: return (category, Pi2Event.quote(s))
            }
        }
        return (category, ev.json())
    }
}
