// Throughput benchmark for EventSchema: strict decode and Cerberus-style validation of JSONL events.
// Usage: SchemaBench EVENTS.jsonl SCHEMA.yaml [repeat]
// Prints one line per measurement: "<name> <events> <seconds> <events/s>".
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

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func report(_ name: String, _ n: Int, _ t: Double) {
    print("\(name) \(n) \(String(format: "%.3f", t)) \(Int(Double(n) / t))")
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
    report("decode", ranges.count * repeats, now() - t0)
    for r in ranges {
        if case .object(let o)? = try? decoder.decode(UnsafeRawBufferPointer(rebasing: raw[r])) { objects.append(o) }
    }
    // Validate only (pre-decoded objects).
    t0 = now()
    for _ in 0..<repeats { for o in objects where validator.validate(o).isValid { sink &+= 1 } }
    report("validate", objects.count * repeats, now() - t0)
    // Decode + validate (what the pipeline does per message).
    let classifier = EventClassifier(validator: validator)
    t0 = now()
    for _ in 0..<repeats {
        for r in ranges { if case .valid = classifier.classify(UnsafeRawBufferPointer(rebasing: raw[r])) { sink &+= 1 } }
    }
    report("decode+validate", ranges.count * repeats, now() - t0)
}
if sink == 42 { print("") }
