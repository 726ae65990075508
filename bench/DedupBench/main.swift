// Dedup store scaling (issue #21): the checkpoint store's cost per commit as the keys it holds grow.
// Usage:
//   DedupBench prefill STORAGE DIR KEYS     fill a new store with KEYS random keys spread over the last 7 days
//   DedupBench measure STORAGE DIR COMMITS  COMMITS commits of 89,600 new keys each (after looking up 94,080
//                                           keys, 5% of them already stored), as the pipeline does
//   DedupBench expire STORAGE DIR DAYS      prune every key committed more than DAYS days ago
//   DedupBench prefill-ids STORAGE DIR KEYS IDS_FILE
//                                           as prefill, with keys hashed as `weir run` hashes a string event_id
//                                           (DIR: a lake's _weir directory), and the ids written to IDS_FILE,
//                                           one a line, for python_fast's store (bench/dedup_pipeline)
// STORAGE: runs (key runs, the default store) or table (the dedup_keys table of earlier versions).
// DUPLICATES=n: stored keys among each commit's lookups (default 4,480, 5%; 0 times new keys alone).
// LOOKUP_BATCH=n: keys per lookup (default 2,500, as the pipeline's slices of a 5,000-record poll; 500 before 2026-12-07).
// Keys are hashes of `e` + 18 random digits (a seeded generator), never sequential ids.
// Output lines are "key value" pairs read by bench/dedup.
import EventSchema
import Foundation
import Pipeline

let day: Int64 = 86_400
let ttl: Int64 = 7 * day
let newPerCommit = 89_600
/// Stored keys among each commit's lookups (5%; DUPLICATES=n overrides, e.g. 0 to time new keys alone).
let duplicatesPerCommit = ProcessInfo.processInfo.environment["DUPLICATES"].flatMap { Int($0) } ?? 4_480
/// Keys per `seenKeys` call (LOOKUP_BATCH=n overrides): 2,500, as the pipeline's slices look up a 5,000-record poll
/// on 2 cores; 500 until 2026-12-07, when polls were 500 records (earlier entries of docs/BENCHMARKS.md).
let lookupBatch = ProcessInfo.processInfo.environment["LOOKUP_BATCH"].flatMap { Int($0) }.map { max(1, $0) } ?? 2_500

/// Event ids `e` + 18 digits from a seeded xorshift generator, hashed as the pipeline hashes them.
struct EventIDs {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    /// The next id's UTF-8 bytes.
    mutating func nextID() -> [UInt8] {
        var digits = [UInt8](repeating: 0, count: 19)
        digits[0] = UInt8(ascii: "e")
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        var v = state % 1_000_000_000_000_000_000
        for i in (1...18).reversed() { digits[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
        return digits
    }
    mutating func next() -> DedupKey { DedupKey(hashing: nextID()) }
    mutating func keys(_ n: Int) -> [DedupKey] { (0..<n).map { _ in next() } }
}

func storage(_ name: String) -> DedupKeyStorage {
    switch name {
    case "runs": return .keyRuns
    case "table": return .table
    default: fail("unknown storage \(name) (runs | table)")
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("DedupBench: \(message)\n".utf8))
    exit(2)
}

func wallNow() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func cpuNow(_ clock: clockid_t = CLOCK_PROCESS_CPUTIME_ID) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
/// CPU seconds of the calling thread alone (the lookups and the commit, without background merges).
func threadCPUNow() -> Double { cpuNow(CLOCK_THREAD_CPUTIME_ID) }

/// A field of /proc/self/io or /proc/self/status (first number on its line).
func procField(_ file: String, _ name: String) -> Int64 {
    guard let text = try? String(contentsOfFile: "/proc/self/\(file)", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
        return Int64(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) ?? 0
    }
    return 0
}

/// Commits `keys`; `lookups` names the `seenKeys` calls that found them absent, as `weir run` does (the commit then
/// checks them only against the runs stored since; an empty range checks them against every live run).
func commit(_ store: SQLiteCheckpointStore, _ keys: [DedupKey], at: Int64, lookups: Range<Int64> = 0..<0) throws {
    var c = CheckpointCommit()
    c.dedupKeys = keys
    c.keyLookups = lookups
    c.committedAt = at
    c.dedupNotBefore = at - ttl
    c.owner = "bench"
    _ = try store.commit(c)
}

/// The prefill's commits: (keys, seconds before now). Key runs: one commit per past day (what a day's merges
/// leave), and today's share in commits of halving size (what the open bucket's tiers hold). Table: commits of
/// 1M keys, oldest first.
func prefillPlan(_ n: Int, storage: DedupKeyStorage) -> [(Int, Int64)] {
    guard n > 0 else { return [] }
    if storage == .table {
        let commits = (n + 999_999) / 1_000_000
        return (0..<commits).map { i in (min(1_000_000, n - i * 1_000_000), ttl - day / 2 - Int64(i) * (ttl - day) / Int64(commits)) }
    }
    let perDay = n / 8
    var plan: [(Int, Int64)] = (1...7).map { (perDay, Int64($0) * day - day / 2) }.reversed()
    var today = n - 7 * perDay
    var size = today / 2
    while today > 0 {
        let k = today <= newPerCommit * 2 ? today : size
        plan.append((k, 3_600))
        today -= k
        size /= 2
    }
    return plan
}

let args = CommandLine.arguments
guard args.count == 5 || (args.count == 6 && args[1] == "prefill-ids") else {
    fail("usage: DedupBench prefill|measure|expire STORAGE DIR N, or prefill-ids STORAGE DIR N IDS_FILE")
}
let mode = args[1], kind = storage(args[2]), dir = args[3]
guard let n = Int(args[4]) else { fail("N must be a number") }
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
let now = Int64(Date().timeIntervalSince1970)
let store = try SQLiteCheckpointStore(path: dir + "/checkpoint.sqlite", storage: kind)
let prefillSeed: UInt64 = 0x5EED_0001

switch mode {
case "prefill":
    var ids = EventIDs(seed: prefillSeed)
    let t0 = wallNow(), c0 = cpuNow()
    for (count, age) in prefillPlan(n, storage: kind) {
        try commit(store, ids.keys(count), at: now - age)
    }
    store.waitForKeyRunMerges()
    print("prefill_keys \(n)")
    print("prefill_wall_s \(String(format: "%.1f", wallNow() - t0))")
    print("prefill_cpu_s \(String(format: "%.1f", cpuNow() - c0))")
    print("store_bytes \(store.databaseBytes())")

case "prefill-ids":
    // The same ids as prefill, but keyed as the pipeline keys an event by its string event_id, so that a lake's
    // store holds them as if `weir run` had committed those events.
    let idsPath = args[5]
    guard FileManager.default.createFile(atPath: idsPath, contents: nil), let idsFile = FileHandle(forWritingAtPath: idsPath) else {
        fail("cannot write \(idsPath)")
    }
    var ids = EventIDs(seed: prefillSeed)
    let t0 = wallNow()
    for (count, age) in prefillPlan(n, storage: kind) {
        var keys: [DedupKey] = []
        var text: [UInt8] = []
        keys.reserveCapacity(count)
        text.reserveCapacity(count * 20)
        for _ in 0..<count {
            let id = ids.nextID()
            var hasher = DedupKeyHasher()
            _ = hasher.combineField(.string(String(decoding: id, as: UTF8.self)))
            keys.append(hasher.finalize())
            text += id
            text.append(UInt8(ascii: "\n"))
        }
        try idsFile.write(contentsOf: text)
        try commit(store, keys, at: now - age)
    }
    try idsFile.close()
    store.waitForKeyRunMerges()
    print("prefill_keys \(n)")
    print("prefill_wall_s \(String(format: "%.1f", wallNow() - t0))")

case "measure":
    let stored = try store.stats().keyCount
    var fresh = EventIDs(seed: 0xF0E5_0000 &+ UInt64(stored))
    var old = EventIDs(seed: prefillSeed)
    var previous: [DedupKey] = []
    var lookups: [Double] = [], commits: [Double] = [], totals: [Double] = [], cpus: [Double] = [], threadCPUs: [Double] = []
    _ = try store.seenKeys([DedupKey(high: 0, low: 0)], notBefore: 0)  // loads every run's filter and index
    let rssOpen = procField("status", "VmHWM")
    let io0 = procField("io", "write_bytes"), merged0 = store.keyRunMergeBytes, bytes0 = store.databaseBytes()
    let w0 = wallNow(), cpu0 = cpuNow()
    var found = 0
    for _ in 0..<n {
        // 5% of the looked-up keys are stored already: from the prefill, or the previous commit with none.
        let duplicates = stored > 0 ? old.keys(duplicatesPerCommit) : Array(previous.prefix(duplicatesPerCommit))
        let batch = (fresh.keys(newPerCommit) + duplicates).shuffled()
        let c0 = cpuNow(), tc0 = threadCPUNow(), t0 = wallNow()
        var seen = Set<DedupKey>()
        var i = 0
        let lookupsFrom = store.lookupsStarted
        while i < batch.count {
            seen.formUnion(try store.seenKeys(Array(batch[i..<min(i + lookupBatch, batch.count)]), notBefore: now - ttl))
            i += lookupBatch
        }
        let t1 = wallNow()
        let new = batch.filter { !seen.contains($0) }
        try commit(store, new, at: Int64(Date().timeIntervalSince1970), lookups: lookupsFrom..<store.lookupsStarted)
        let t2 = wallNow()
        found += seen.count
        previous = new
        lookups.append(t1 - t0); commits.append(t2 - t1); totals.append(t2 - t0); cpus.append(cpuNow() - c0); threadCPUs.append(threadCPUNow() - tc0)
    }
    let w1 = wallNow()
    store.waitForKeyRunMerges()
    let drain = wallNow() - w1
    let newKeys = Double(n * newPerCommit)
    func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
    func p90(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.isEmpty ? 0 : s[min(s.count - 1, s.count * 9 / 10)] }
    print("stored_keys \(stored)")
    print("commits \(n)")
    print("duplicates_found \(found)")
    print("lookup_batch \(lookupBatch)")
    print("lookup_ms_median \(String(format: "%.0f", median(lookups) * 1000))")
    print("commit_ms_median \(String(format: "%.0f", median(commits) * 1000))")
    print("store_ms_median \(String(format: "%.0f", median(totals) * 1000))")
    print("store_ms_p90 \(String(format: "%.0f", p90(totals) * 1000))")
    print("store_cpu_ms_median \(String(format: "%.0f", median(cpus) * 1000))")
    print("store_thread_cpu_ms_median \(String(format: "%.0f", median(threadCPUs) * 1000))")
    print("measure_wall_s \(String(format: "%.1f", w1 - w0 + drain))")
    print("measure_cpu_s \(String(format: "%.1f", cpuNow() - cpu0))")
    print("merge_drain_s \(String(format: "%.1f", drain))")
    print("write_bytes_per_key \(String(format: "%.0f", Double(procField("io", "write_bytes") - io0) / newKeys))")
    print("merge_bytes_per_key \(String(format: "%.0f", Double(store.keyRunMergeBytes - merged0) / newKeys))")
    print("store_growth_bytes_per_key \(String(format: "%.0f", Double(store.databaseBytes() - bytes0) / newKeys))")
    print("rss_open_mb \(rssOpen / 1024)")
    print("rss_peak_mb \(procField("status", "VmHWM") / 1024)")

case "expire":
    let before = try store.stats().keyCount
    let t0 = wallNow(), c0 = cpuNow()
    let removed = try CheckpointMaintenance.prune(store, olderThan: now - Int64(n) * day)
    print("expire_keys \(removed)")
    print("expire_of_keys \(before)")
    print("expire_wall_s \(String(format: "%.2f", wallNow() - t0))")
    print("expire_cpu_s \(String(format: "%.2f", cpuNow() - c0))")
    print("store_bytes_after \(store.databaseBytes())")

default:
    fail("unknown mode \(mode)")
}
