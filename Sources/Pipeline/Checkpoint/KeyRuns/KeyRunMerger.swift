/// Merges key runs into one: a k-way merge of their ascending keys, each key written once with its latest
/// commit time (a key committed again after expiring is in two runs).
enum KeyRunMerger {
    /// Streams the union of `runs` into `encoder` (sized by the caller for the sum of their keys).
    /// Returns the number of distinct keys written.
    static func merge<Sink: KeyRunSink>(_ runs: [KeyRun], into encoder: inout KeyRunEncoder<Sink>) throws -> Int {
        var cursors = runs.map { $0.cursor() }
        var heads = try cursors.indices.map { try cursors[$0].next() }
        var pending: (key: DedupKey, at: Int64)?
        while true {
            var smallest = -1
            for i in heads.indices {
                guard let h = heads[i] else { continue }
                if smallest < 0 || h.key < heads[smallest]!.key { smallest = i }
            }
            guard smallest >= 0 else { break }
            let entry = heads[smallest]!
            heads[smallest] = try cursors[smallest].next()
            if let p = pending, p.key == entry.key {
                pending = (p.key, max(p.at, entry.at))
            } else {
                if let p = pending { try encoder.append(p.key, at: p.at) }
                pending = entry
            }
        }
        if let p = pending { try encoder.append(p.key, at: p.at) }
        return encoder.keyCount
    }
}
