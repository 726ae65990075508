/// Suggests the configuration key a misspelt one was meant to be, for the "unknown key" error.
enum KeySpelling {
    /// The one key of `candidates` within `maxEdits` single-character edits (insert, delete, substitute) of `name`,
    /// ignoring case; nil when none is, or when two are equally close.
    static func closest(to name: String, among candidates: [String], maxEdits: Int = 2) -> String? {
        let scored = candidates.map { (key: $0, edits: distance(name.lowercased(), $0.lowercased())) }
            .filter { $0.edits <= maxEdits }
            .sorted { $0.edits < $1.edits }
        guard let best = scored.first else { return nil }
        if scored.count > 1 && scored[1].edits == best.edits { return nil }
        return best.key
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
