// Throughput benchmark for EventSchema: strict decode and Cerberus-style validation of JSONL events.
// Usage: SchemaBench EVENTS.jsonl SCHEMA.yaml [repeat]
// Prints one line per measurement: "<name> <events> <seconds> <events/s>".
// decode_declared / decode_declared_skip: the decoder told the schema's top-level names (what `RecordEvaluator`
// does when the table keeps `_extra`), building the unknown members' values or only checking them.
import EventSchema
import Foundation

let args = CommandLine.arguments
guard args.count >= 3, let data = FileManager.default.contents(atPath: args[1]) else {
    FileHandle.standardError.write(Data("usage: SchemaBench EVENTS.jsonl SCHEMA.yaml [repeat]\n".utf8))
    exit(2)
}
let repeats = args.count > 3 ? Int(args[3]) ?? 1 : 1
let schema = try EventSchema.load(contentsOf: args[2])
let validator = Validator(schema: schema)
let decoder = StrictJSONDecoder()
let bytes = [UInt8](data)
var ranges: [Range<Int>] = []
var s = 0
for (i, b) in bytes.enumerated() where b == 0x0A { if i > s { ranges.append(s..<i) }; s = i + 1 }
if s < bytes.count { ranges.append(s..<bytes.count) }

/// Wall clock and this thread's CPU time: on a shared machine the CPU time is the one-core measure.
struct Clock { let wall: Double; let cpu: Double }
func now() -> Clock {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Clock(wall: Double(DispatchTime.now().uptimeNanoseconds) / 1e9, cpu: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9)
}
/// Prints "<name> <events> <wall s> <events per CPU-second> <cpu s> <events per wall-second>".
func report(_ name: String, _ n: Int, _ t0: Clock) {
    let t1 = now()
    let wall = t1.wall - t0.wall, cpu = t1.cpu - t0.cpu
    print("\(name) \(n) \(String(format: "%.3f", wall)) \(Int(Double(n) / cpu)) \(String(format: "%.3f", cpu)) \(Int(Double(n) / wall))")
}

var objects: [JSONObject] = []
objects.reserveCapacity(ranges.count)
var sink = 0
bytes.withUnsafeBytes { raw in
    // Decode only.
    var t0 = now()
    for _ in 0..<repeats {
        for r in ranges {
            if case .object(let o)? = try? decoder.decode(UnsafeRawBufferPointer(rebasing: raw[r])) { sink &+= o.count }
        }
    }
    report("decode", ranges.count * repeats, t0)
    // Decode with the schema's top-level names (spans of the unknown members), building or skipping their values.
    var spans: [JSONMemberSpan] = []
    for (name, skips) in [("decode_declared", false), ("decode_declared_skip", true)] {
        let declared = DeclaredMembers(schema.fields.map(\.name), skipsUndeclaredValues: skips)
        t0 = now()
        for _ in 0..<repeats {
            for r in ranges {
                if case .object(let o)? = try? decoder.decode(UnsafeRawBufferPointer(rebasing: raw[r]), declared: declared,
                                                              undeclared: &spans) { sink &+= o.count + spans.count }
            }
        }
        report(name, ranges.count * repeats, t0)
    }
    for r in ranges {
        if case .object(let o)? = try? decoder.decode(UnsafeRawBufferPointer(rebasing: raw[r])) { objects.append(o) }
    }
    // Validate only (pre-decoded objects).
    t0 = now()
    for _ in 0..<repeats { for o in objects where validator.validate(o).isValid { sink &+= 1 } }
    report("validate", objects.count * repeats, t0)
    // Decode + validate (what the pipeline does per message).
    let classifier = EventClassifier(validator: validator)
    t0 = now()
    for _ in 0..<repeats {
        for r in ranges { if case .valid = classifier.classify(UnsafeRawBufferPointer(rebasing: raw[r])) { sink &+= 1 } }
    }
    report("decode+validate", ranges.count * repeats, t0)
}
if sink == 42 { print("") }
