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
            written += try merge(inputs, db: db, ended: inputs[0].bucketEnd <= now)
        }
        return written
    }

    /// Writes the `DayFilterFile` of every ended bucket's only run that has none (a day whose keys came in one
    /// commit, or a file found damaged). Returns the bytes written.
    @discardableResult
    func writeDayFilters(_ db: SQLiteDatabase) throws -> Int64 {
        let now = clock()
        let records = try KeyRunManifest.all(db)
        let ended = Dictionary(grouping: records.filter { $0.bucketEnd <= now }, by: \.bucketStart)
        var written: Int64 = 0
        for (_, runs) in ended.sorted(by: { $0.key < $1.key }) where runs.count == 1 && access(dayFilterPath(runs[0]), F_OK) != 0 {
            let record = runs[0]
            do {
                written += Int64(try writeDayFilter(for: try open(record, keepFilter: false), record: record, db: db))
            } catch let e as KeyRunFileError where e.isMissing {
                continue  // merged away or expired meanwhile
            }
        }
        return written
    }

    /// Builds and writes the day filter of `run` (listed as `record`, or about to be), of the same size as the
    /// newest other day's when that suits its keys (days share the `EndedDaysFilter` only at one size).
    /// Returns the bytes written.
    func writeDayFilter(for run: KeyRun, record: KeyRunRecord, db: SQLiteDatabase) throws -> Int {
        let day = try DayFilterFile.build(from: run, preferring: try newestDayFilterSize(before: record, db: db))
        do {
            return try DayFilterFile.write(DayFilterFile.encode(day, run: run.footer), name: DayFilterFile.name(forRun: record.file), directory: directory)
        } catch {
            throw StoreError(message: "writing the day filter of dedup key run \(path(record.file)): \(error)", isRetriable: false)
        }
    }

    /// Merges `inputs` into one run; `ended`: their bucket has ended, so the merged run is the day's last and
    /// its day filter is written before it is listed.
    private func merge(_ inputs: [KeyRunRecord], db: SQLiteDatabase, ended: Bool) throws -> Int64 {
        let file = "run-\(UUID().uuidString.lowercased()).keys"
        let output = path(file)
        var footer: KeyRunFormat.Footer
        do {
            let runs = try inputs.map { try open($0) }
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
            unlink(path(DayFilterFile.name(forRun: file)))
            _ = try? db.prepare("UPDATE key_runs SET claimed_until = 0 WHERE id = ?").run([.int(inputs[0].id)])
            throw StoreError(message: "merging dedup key runs into \(output): \(error)", isRetriable: false)
        }
        let merged = KeyRunRecord(
            file: file, bucketStart: inputs[0].bucketStart, bucketEnd: inputs[0].bucketEnd,
            minAt: inputs.map(\.minAt).min()!, maxAt: inputs.map(\.maxAt).max()!, keys: Int64(footer.keyCount),
            bytes: Int64(footer.fileBytes), owner: owner)
        var dayFilterBytes = 0
        if ended {
            do {
                dayFilterBytes = try writeDayFilter(for: try open(merged, keepFilter: false), record: merged, db: db)
            } catch {
                unlink(output)
                _ = try? db.prepare("UPDATE key_runs SET claimed_until = 0 WHERE id = ?").run([.int(inputs[0].id)])
                throw error
            }
        }
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
            unlink(dayFilterPath(merged))
            throw error
        }
        guard swapped else {
            unlink(output)
            unlink(dayFilterPath(merged))
            return 0
        }
        for r in inputs {
            unlink(path(r.file))
            unlink(dayFilterPath(r))
        }
        try? KeyRunFiles.syncDirectory(directory)
        return Int64(footer.fileBytes + dayFilterBytes)
    }

    private struct InputsChanged: Error {}

    /// The word count of the newest day filter of a bucket other than `record`'s, if any.
    private func newestDayFilterSize(before record: KeyRunRecord, db: SQLiteDatabase) throws -> Int? {
        let others = try KeyRunManifest.all(db).filter { $0.bucketStart != record.bucketStart }
        for r in others.sorted(by: { $0.bucketStart > $1.bucketStart }) {
            if let n = DayFilterFile.wordCount(atPath: dayFilterPath(r)) { return n }
        }
        return endedDays.blockCount
    }

    /// Deletes run files the manifest does not list (commits or merges that never finished), day filter files of
    /// runs it does not list and temporary day filter files, all older than `minAgeSeconds`, so a run another
    /// process is about to commit is left alone. Returns how many.
    @discardableResult
    func removeOrphans(_ db: SQLiteDatabase, minAgeSeconds: Int64 = 3_600) throws -> Int {
        let listed = Set(try KeyRunManifest.all(db).map(\.file))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let cutoff = Date(timeIntervalSince1970: TimeInterval(clock() - minAgeSeconds))
        var removed = 0
        let listedDays = Set(listed.map(DayFilterFile.name(forRun:)))
        for name in names {
            let orphan = name.hasSuffix(".keys") ? !listed.contains(name)
                : name.hasSuffix(DayFilterFile.suffix) ? !listedDays.contains(name)
                : name.contains(DayFilterFile.suffix + ".tmp-")
            guard orphan else { continue }
            let attributes = try? FileManager.default.attributesOfItem(atPath: path(name))
            guard let modified = attributes?[.modificationDate] as? Date, modified <= cutoff else { continue }
            if unlink(path(name)) == 0 { removed += 1 }
        }
        return removed
    }
}
