import CSQLite

/// Source positions with fingerprints, store facts, restoring from the lake, and the clean-exit WAL checkpoint.
extension SQLiteCheckpointStore {
    public func storedPositions(_ partitions: [SourcePartition]) throws -> [SourcePartition: StoredPosition] {
        try locked {
            let select = try db.prepare("""
                SELECT next_offset, last_timestamp_ms, last_value_hash FROM offsets WHERE topic = ? AND partition = ?
                """)
            var result: [SourcePartition: StoredPosition] = [:]
            for p in partitions {
                try select.query([.text(p.topic), .int(Int64(p.partition))]) { r in
                    let fingerprint = r.isNull(2) ? nil
                        : RecordFingerprint(timestampMs: r.isNull(1) ? nil : r.int(1), valueHash: UInt64(bitPattern: r.int(2)))
                    result[p] = StoredPosition(next: r.int(0), fingerprint: fingerprint)
                }
            }
            return result
        }
    }

    public func isEmpty() throws -> Bool {
        try locked {
            var count: Int64 = 0
            try db.prepare("SELECT (SELECT count(*) FROM offsets) + (SELECT count(*) FROM files) + (SELECT count(*) FROM table_pointers)").query { count = $0.int(0) }
            return count == 0
        }
    }

    public func metaValue(_ name: String) throws -> String? {
        try locked {
            var value: String?
            try db.prepare("SELECT value FROM store_meta WHERE name = ?").query([.text(name)]) { value = $0.text(0) }
            return value
        }
    }

    public func setMetaValue(_ name: String, _ value: String) throws {
        _ = try locked {
            try db.prepare("""
                INSERT INTO store_meta(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value
                """).run([.text(name), .text(value)])
        }
    }

    public func restore(_ batch: LakeRestoreBatch) throws {
        try locked {
            try db.transaction {
                let insertKey = try db.prepare("""
                    INSERT INTO dedup_keys(key, seen_at) VALUES (?, ?)
                    ON CONFLICT(key) DO UPDATE SET seen_at = max(dedup_keys.seen_at, excluded.seen_at)
                    """)
                // Restored keys keep their own first-seen times, so they go to the `dedup_keys` table (read until
                // pruning empties it) rather than into a key run, whose entries carry their commit's time.
                for (key, seenAt) in batch.keys.sorted(by: { $0.key < $1.key }) {
                    try insertKey.run([.blob(key.bytes), .int(seenAt)])
                }
                if !batch.keys.isEmpty { legacyKeys = true }
                guard !batch.files.isEmpty else { return }
                try db.prepare("INSERT INTO commits(committed_at, owner) VALUES (strftime('%s', 'now'), 'rebuild')").run()
                let commitID = SQLiteCheckpointSchema.lastInsertRowID(db)
                let insertFile = try db.prepare("""
                    INSERT INTO files(final_path, staging_path, hive_partition, commit_id, owner, state, rows, bytes)
                    VALUES (?, ?, ?, ?, 'rebuild', 'published', ?, ?)
                    ON CONFLICT(final_path) DO NOTHING
                    """)
                for f in batch.files {
                    try insertFile.run([.text(f.finalPath), .text(f.stagingPath), .text(f.hivePartition), .int(commitID),
                                        .int(f.rows), .int(f.bytes)])
                }
            }
        }
    }

    public func checkpointWAL() {
        locked { _ = try? db.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
