import Foundation

/// Merging and cleaning up key runs; safe to run in several processes at once (claims and swaps are
/// transactions of the manifest).
extension KeyRunStore {
    /// How long a merge may hold its input runs before another process may claim them (seconds).
    static let claimSeconds: Int64 = 600

    /// Runs the merges `planner` asks for now, each: claim the inputs, write the merged run (fsynced), then in
    /// one transaction replace the inputs' rows by its row, then delete the inputs' files. A merge whose inputs
    /// changed meanwhile (expired, or merged by another process) is abandoned. Returns the bytes written.
    @discardableResult
    func mergeOnce(_ db: SQLiteDatabase) throws -> Int64 {
        let now = clock()
        let records = try KeyRunManifest.all(db)
        let plans = planner.plan(records.map {
            KeyRunPlanner.Run(id: $0.id, bucketStart: $0.bucketStart, bucketEnd: $0.bucketEnd, keys: Int($0.keys), claimedUntil: $0.claimedUntil)
        }, now: now)
        var written: Int64 = 0
        for ids in plans {
            guard try KeyRunManifest.claim(ids, until: now + Self.claimSeconds, now: now, db) else { continue }
            let inputs = records.filter { ids.contains($0.id) }
            written += try merge(inputs, db: db)
        }
        return written
    }

    private func merge(_ inputs: [KeyRunRecord], db: SQLiteDatabase) throws -> Int64 {
        let file = "run-\(UUID().uuidString.lowercased()).keys"
        let output = path(file)
        var footer: KeyRunFormat.Footer
        do {
            let runs = try inputs.map(open)
            var encoder = KeyRunEncoder(sink: try KeyRunFileSink(path: output), capacity: runs.reduce(0) { $0 + $1.keyCount },
                                        baseAt: inputs.map(\.minAt).min()!)
            do {
                _ = try KeyRunMerger.merge(runs, into: &encoder)
                footer = try encoder.finish()
                try encoder.sink.close()
            } catch {
                encoder.sink.abandon()
                throw error
            }
            try KeyRunFiles.syncDirectory(directory)
        } catch {
            unlink(output)
            _ = try? db.prepare("UPDATE key_runs SET claimed_until = 0 WHERE id = ?").run([.int(inputs[0].id)])
            throw StoreError(message: "merging dedup key runs into \(output): \(error)", isRetriable: false)
        }
        let merged = KeyRunRecord(
            file: file, bucketStart: inputs[0].bucketStart, bucketEnd: inputs[0].bucketEnd,
            minAt: inputs.map(\.minAt).min()!, maxAt: inputs.map(\.maxAt).max()!, keys: Int64(footer.keyCount),
            bytes: Int64(footer.fileBytes), owner: owner)
        let swapped: Bool
        do {
            swapped = try db.transaction {
                guard try KeyRunManifest.remove(inputs.map(\.id), db) == inputs.count else { throw InputsChanged() }
                _ = try KeyRunManifest.insert(merged, db)
                return true
            }
        } catch is InputsChanged {
            swapped = false
        } catch {
            unlink(output)
            throw error
        }
        guard swapped else {
            unlink(output)
            return 0
        }
        for r in inputs { unlink(path(r.file)) }
        try? KeyRunFiles.syncDirectory(directory)
        return Int64(footer.fileBytes)
    }

    private struct InputsChanged: Error {}

    /// Deletes run files the manifest does not list (commits or merges that never finished) and that are older
    /// than `minAgeSeconds`, so a run another process is about to commit is left alone. Returns how many.
    @discardableResult
    func removeOrphans(_ db: SQLiteDatabase, minAgeSeconds: Int64 = 3_600) throws -> Int {
        let listed = Set(try KeyRunManifest.all(db).map(\.file))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let cutoff = Date(timeIntervalSince1970: TimeInterval(clock() - minAgeSeconds))
        var removed = 0
        for name in names where name.hasSuffix(".keys") && !listed.contains(name) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path(name))
            guard let modified = attributes?[.modificationDate] as? Date, modified <= cutoff else { continue }
            if unlink(path(name)) == 0 { removed += 1 }
        }
        return removed
    }
}
