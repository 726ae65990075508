import CSQLite

/// The checkpoint store's tables, versioned with `PRAGMA user_version` and migrated in place.
///
/// - Version 1: dedup keys, offsets, commits, the file manifest, DLQ marks, totals.
/// - Version 2: each offset also keeps the fingerprint of the last record it covers (`last_timestamp_ms`,
///   `last_value_hash`; NULL for offsets written by version 1, which are then not checked), and `store_meta`
///   holds facts about the store such as the source cluster's id and whether it was rebuilt from the lake.
/// - Version 3: `table_pointers`, a table format's pointer (an Iceberg catalog's metadata location) that a commit
///   moves by compare-and-set in the same transaction as its offsets (`CheckpointCommit.tablePointers`).
/// - Version 4: the SQL catalog of Apache Iceberg tables, in the layout of the JDBC catalog (Java's JdbcCatalog,
///   pyiceberg's SqlCatalog): `iceberg_tables` (one row per table: its current and previous metadata location)
///   and `iceberg_namespace_properties`. Plain, portable SQL types, so the same tables work in PostgreSQL.
/// - Version 5: `partition_owners`, one row per source partition: the owner token of the instance that last
///   claimed it, and the holder (owner token and `ProcessIdentity`) and end of the last DLQ delivery permit on it,
///   unix milliseconds by the store's clock
///   (`CheckpointStore.claimPartitions`, `permitDeliveries`). A Weir of version 4 opens such a store and ignores it.
enum SQLiteCheckpointSchema {
    static let version = 5

    /// Creates or upgrades the tables inside one write transaction, so concurrent first opens agree.
    static func migrate(_ db: SQLiteDatabase) throws {
        try db.transaction {
            var current: Int64 = 0
            try db.prepare("PRAGMA user_version").query { current = $0.int(0) }
            guard current < version else { return }
            if current < 1 { try db.execute(version1) }
            if current < 2 { try db.execute(version2) }
            if current < 3 { try db.execute(version3) }
            if current < 4 { try db.execute(version4) }
            if current < 5 { try db.execute(version5) }
            try db.execute("PRAGMA user_version = \(version)")
        }
    }

    private static let version1 = """
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
        """

    private static let version2 = """
        ALTER TABLE offsets ADD COLUMN last_timestamp_ms INTEGER;
        ALTER TABLE offsets ADD COLUMN last_value_hash INTEGER;
        CREATE TABLE IF NOT EXISTS store_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
        """

    private static let version3 = """
        CREATE TABLE IF NOT EXISTS table_pointers(table_name TEXT PRIMARY KEY, location TEXT NOT NULL, updated_at INTEGER);
        """

    private static let version4 = """
        CREATE TABLE IF NOT EXISTS iceberg_tables(
            catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL,
            metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), iceberg_type VARCHAR(5),
            PRIMARY KEY (catalog_name, table_namespace, table_name));
        CREATE TABLE IF NOT EXISTS iceberg_namespace_properties(
            catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255) NOT NULL,
            property_value VARCHAR(1000) NOT NULL, PRIMARY KEY (catalog_name, namespace, property_key));
        """

    private static let version5 = """
        CREATE TABLE IF NOT EXISTS partition_owners(
            topic TEXT NOT NULL, partition INTEGER NOT NULL, owner TEXT NOT NULL, claimed_at_ms INTEGER NOT NULL,
            permit_holder TEXT, permit_process TEXT, deliveries_until_ms INTEGER, PRIMARY KEY(topic, partition));
        """

    static func lastInsertRowID(_ db: SQLiteDatabase) -> Int64 { sqlite3_last_insert_rowid(db.handle) }
}
