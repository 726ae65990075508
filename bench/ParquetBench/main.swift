// Parquet writer benchmark: builds a 1M-row event table in memory and times ParquetFileWriter (zstd).
// Usage: ParquetBench OUTPUT_PATH [ROWS] [ITERATIONS].
// Prints `weir_seconds=<best wall> weir_cpu_seconds=<best process CPU> rows=<n> bytes=<file size>`.
import Foundation
import Parquet

let args = CommandLine.arguments
let path = args.count > 1 ? args[1] : "/tmp/weir-bench.parquet"
let rows = args.count > 2 ? Int(args[2]) ?? 1_000_000 : 1_000_000
let iterations = args.count > 3 ? Int(args[3]) ?? 3 : 3

struct SplitMix: RandomNumberGenerator {
    var state: UInt64 = 0x5EED
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
var rng = SplitMix()
let hex = Array("0123456789abcdef".utf8)
var eventIds: [String?] = []
eventIds.reserveCapacity(rows)
for _ in 0..<rows {
    var b = [UInt8](repeating: 0, count: 36)
    for i in 0..<36 { b[i] = [8, 13, 18, 23].contains(i) ? UInt8(ascii: "-") : hex[Int(rng.next() & 15)] }
    eventIds.append(String(decoding: b, as: UTF8.self))
}
let t0: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z in µs
let ts: [Int64?] = (0..<rows).map { t0 + Int64($0) * 1_000 + Int64.random(in: 0..<1_000, using: &rng) }
let users: [Int64?] = (0..<rows).map { _ in Int64.random(in: 1...100_000, using: &rng) }
let acciones = ["view", "click", "add_to_cart", "purchase", "login", "logout", "search", "share"]
let accion: [String?] = (0..<rows).map { _ in acciones.randomElement(using: &rng) }
let monto: [Double?] = (0..<rows).map { _ in Double.random(in: 0..<1, using: &rng) < 0.3 ? nil : (Double.random(in: 0..<10_000, using: &rng) * 100).rounded() / 100 }

let allColumns: [ColumnDescriptor] = [
    .string("event_id"), .timestampMicros("ts"), .int64("usuario_id"), .string("accion"), .double("monto", optional: true),
]
let allValues: [ColumnValues] = [.string(eventIds), .int64(ts), .int64(users), .string(accion), .double(monto)]
// BENCH_COLUMNS=0,2 restricts the table to those columns (for profiling single columns).
let selected = ProcessInfo.processInfo.environment["BENCH_COLUMNS"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? Array(0..<5)
let schema = ParquetSchema(columns: selected.map { allColumns[$0] })
let batch = selected.map { allValues[$0] }
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
var best = Double.infinity
var bestCPU = Double.infinity
var bytes: Int64 = 0
for _ in 0..<iterations {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuSeconds()
    let w = try ParquetFileWriter(path: path, schema: schema,
                                  options: ParquetWriterOptions(compression: .zstd, rowGroupMaxRows: 1_000_000,
                                                                createdBy: "weir bench", fsync: false))
    try w.write(batch)
    bytes = try w.close().fileBytes
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    bestCPU = min(bestCPU, cpuSeconds() - cpuStart)
}
print("weir_seconds=\(best) weir_cpu_seconds=\(bestCPU) rows=\(rows) bytes=\(bytes)")
