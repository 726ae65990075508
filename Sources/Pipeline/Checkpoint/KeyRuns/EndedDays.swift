import Foundation

/// A store's `EndedDaysFilter` and which run each slot stands for (thread-safe: lookups probe it while a
/// refresh fills slots). A run with a slot is looked up through the table instead of its own filter, so a new
/// key costs one cache line for all ended days instead of one per day.
final class EndedDays: @unchecked Sendable {
    private let lock = NSLock()
    private var table: EndedDaysFilter?
    /// The run id each slot stands for.
    private var owners = [Int64?](repeating: nil, count: EndedDaysFilter.slots)

    /// The table's size in blocks (the word count a day needs for a slot), nil before the first day.
    var blockCount: Int? { lock.withLock { table?.blockCount } }

    /// The runs with a slot.
    var covered: Set<Int64> { lock.withLock { Set(owners.compactMap { $0 }) } }

    /// Gives each of `days` (a run id and its day's filter) a slot, as long as slots are free (empty, or standing
    /// for a run not in `keep`: merged away, expired or no longer looked up) and the day has the table's size.
    /// When no slot stands for a run in `keep`, the table is made anew, sized for the first of `days`. Returns
    /// the ids given a slot; the others keep being looked up through their own filters.
    @discardableResult
    func install(_ days: [(id: Int64, filter: DayFilter)], keep: Set<Int64>) -> Set<Int64> {
        guard !days.isEmpty else { return [] }
        return lock.withLock {
            for s in owners.indices where owners[s].map({ !keep.contains($0) }) ?? false { owners[s] = nil }
            if table == nil || owners.allSatisfy({ $0 == nil }) {
                table = nil  // the old table's memory goes before the new one's is taken
                table = EndedDaysFilter(blockCount: days[0].filter.wordCount)
            }
            var installed: Set<Int64> = []
            for day in days where !owners.contains(day.id) && day.filter.wordCount == table!.blockCount {
                guard let s = owners.firstIndex(where: { $0 == nil }) else { break }
                table!.fill(slot: s, with: day.filter)
                owners[s] = day.id
                installed.insert(day.id)
            }
            return installed
        }
    }

    /// For each probe, the slots that may hold its key (bit `s` for slot `s`), and the slot of each covered run;
    /// nil when no run has a slot.
    func probe(_ probes: some Collection<KeyProbe>) -> (masks: [UInt8], slots: [Int64: Int])? {
        lock.withLock {
            guard let table, owners.contains(where: { $0 != nil }) else { return nil }
            var slots: [Int64: Int] = [:]
            for (s, id) in owners.enumerated() { if let id { slots[id] = s } }
            var masks: [UInt8] = []
            masks.reserveCapacity(probes.count)
            for p in probes { masks.append(table.mask(p)) }
            return (masks, slots)
        }
    }
}
