import CSQLite

/// The checkpoint store's tables, created idempotently.
enum SQLiteCheckpointSchema {
    static let version = 1

    static func migrate(_ db: SQLiteDatabase) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS dedup_keys(key BLOB PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS dedup_keys_seen_at ON dedup_keys(seen_at);
            CREATE TABLE IF NOT EXISTS offsets(
                topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL, updated_at INTEGER,
                PRIMARY KEY(topic, partition));
            CREATE TABLE IF NOT EXISTS commits(id INTEGER PRIMARY KEY AUTOINCREMENT, committed_at INTEGER NOT NULL, owner TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS files(
                final_path TEXT PRIMARY KEY, staging_path TEXT NOT NULL, hive_partition TEXT NOT NULL,
                commit_id INTEGER NOT NULL, owner TEXT NOT NULL, state TEXT NOT NULL, rows INTEGER NOT NULL, bytes INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS files_state ON files(state);
            CREATE TABLE IF NOT EXISTS dlq_marks(
                source_topic TEXT NOT NULL, source_partition INTEGER NOT NULL, dlq_topic TEXT NOT NULL, dlq_partition INTEGER NOT NULL,
                scan_from INTEGER NOT NULL, PRIMARY KEY(source_topic, source_partition, dlq_topic, dlq_partition));
            CREATE TABLE IF NOT EXISTS totals(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS table_pointers(table_name TEXT PRIMARY KEY, location TEXT NOT NULL, updated_at INTEGER);
            PRAGMA user_version = \(version);
            """)
    }

    static func lastInsertRowID(_ db: SQLiteDatabase) -> Int64 { sqlite3_last_insert_rowid(db.handle) }
}
