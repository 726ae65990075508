/// The partitions a `weir run` instance holds, read from its log: librdkafka's rebalance callback logs
/// `assigned N partitions: [topic[p], …]` and `revoked N partitions: […]` (eager or cooperative alike: an
/// assignment adds, a revocation removes).
enum GroupAssignment {
    /// The partitions of `topic` held after the last rebalance line in `log`.
    static func held(in log: Substring, topic: String) -> Set<Int32> {
        var held: Set<Int32> = []
        for line in log.split(separator: "\n") {
            let assigned = line.contains("assigned ") && line.contains(" partitions: [")
            let revoked = line.contains("revoked ") && line.contains(" partitions: [")
            guard assigned || revoked else { continue }
            let partitions = Set(line.matches(of: /([A-Za-z0-9._-]+)\[([0-9]+)\]/).compactMap { match in
                match.1 == topic ? Int32(match.2) : nil
            })
            if assigned { held.formUnion(partitions) } else { held.subtract(partitions) }
        }
        return held
    }

    static func held(in log: String, topic: String) -> Set<Int32> { held(in: log[...], topic: topic) }
}
