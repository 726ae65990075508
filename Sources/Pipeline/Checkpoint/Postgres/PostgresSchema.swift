/// The PostgreSQL store's tables, versioned in `weir_schema_version` and migrated under an advisory lock, so
/// several instances starting at once run each migration exactly once.
///
/// To add tables (e.g. a catalog of Iceberg tables), append a `Migration` with the next version; never edit a
/// released one. Each migration runs in the same transaction as the version bump.
///
/// - Version 1: offsets (with the fingerprint of the last record), commits (with the idempotency token that
///   tells whether a commit interrupted by a lost connection happened), the file manifest, DLQ marks, totals,
///   store facts, table pointers, and `dedup_keys`, partitioned by range of `day` (unix seconds / 86,400, UTC)
///   into one table per day (`DedupKeyPartitions`).
/// - Version 2: the key generation row in `store_meta` (`dedup_generation`, see `KeyLookupLedger`).
/// - Version 3: the SQL catalog of Apache Iceberg tables in the JDBC catalog's layout (`iceberg_tables`,
///   `iceberg_namespace_properties`), the tables pyiceberg's `SqlCatalog` and Java's `JdbcCatalog` open; a commit
///   moves a table's row by compare-and-set with its table pointer (`TablePointerUpdate.catalogTable`).
/// - Version 4: `partition_owners`, one row per source partition: the owner token of the instance that last
///   claimed it, and the holder (owner token and `ProcessIdentity`) and end of the last DLQ delivery permit on it,
///   by the server's clock
///   (`CheckpointStore.claimPartitions`, `permitDeliveries`). A version of its own: a Weir that does not claim
///   partitions would deliver DLQ records unfenced, so it refuses to start on this store.
enum PostgresSchema {
    struct Migration {
        let version: Int
        let sql: String
    }

    static let migrations: [Migration] = [
        Migration(version: 1, sql: """
            CREATE TABLE offsets(
                topic text NOT NULL, partition integer NOT NULL, next_offset bigint NOT NULL, updated_at bigint,
                last_timestamp_ms bigint, last_value_hash bigint, PRIMARY KEY(topic, partition));
            CREATE TABLE commits(
                id bigserial PRIMARY KEY, committed_at bigint NOT NULL, owner text NOT NULL, token uuid UNIQUE);
            CREATE TABLE files(
                final_path text PRIMARY KEY, staging_path text NOT NULL, hive_partition text NOT NULL,
                commit_id bigint NOT NULL, owner text NOT NULL, state text NOT NULL, rows bigint NOT NULL, bytes bigint NOT NULL);
            CREATE INDEX files_committed ON files(commit_id) WHERE state = 'committed';
            CREATE INDEX files_published ON files(hive_partition) WHERE state = 'published';
            CREATE TABLE dlq_marks(
                source_topic text NOT NULL, source_partition integer NOT NULL, dlq_topic text NOT NULL,
                dlq_partition integer NOT NULL, scan_from bigint NOT NULL,
                PRIMARY KEY(source_topic, source_partition, dlq_topic, dlq_partition));
            CREATE TABLE totals(name text PRIMARY KEY, value bigint NOT NULL);
            CREATE TABLE store_meta(name text PRIMARY KEY, value text NOT NULL);
            CREATE TABLE table_pointers(table_name text PRIMARY KEY, location text NOT NULL, updated_at bigint);
            CREATE TABLE dedup_keys(day integer NOT NULL, key uuid NOT NULL, seen_at bigint NOT NULL, PRIMARY KEY(key, day))
                PARTITION BY RANGE (day);
            """),
        // The key generation (`KeyLookupLedger`): moved by every commit that stores keys. A version of its own,
        // so that a Weir that does not move it refuses to start on a store whose instances rely on it.
        Migration(version: 2, sql: """
            INSERT INTO store_meta(name, value) VALUES ('dedup_generation', '0') ON CONFLICT (name) DO NOTHING;
            """),
        // The column names and types of the JDBC catalog (and pyiceberg's SqlCatalog, which keeps the same layout);
        // IF NOT EXISTS: a catalog client may have created them in this database first.
        Migration(version: 3, sql: """
            CREATE TABLE IF NOT EXISTS iceberg_tables(
                catalog_name varchar(255) NOT NULL, table_namespace varchar(255) NOT NULL, table_name varchar(255) NOT NULL,
                metadata_location varchar(1000), previous_metadata_location varchar(1000), iceberg_type varchar(5),
                PRIMARY KEY (catalog_name, table_namespace, table_name));
            CREATE TABLE IF NOT EXISTS iceberg_namespace_properties(
                catalog_name varchar(255) NOT NULL, namespace varchar(255) NOT NULL, property_key varchar(255) NOT NULL,
                property_value varchar(1000) NOT NULL, PRIMARY KEY (catalog_name, namespace, property_key));
            """),
        Migration(version: 4, sql: """
            CREATE TABLE partition_owners(
                topic text NOT NULL, partition integer NOT NULL, owner text NOT NULL, claimed_at timestamptz NOT NULL,
                permit_holder text, permit_process text, deliveries_until timestamptz, PRIMARY KEY(topic, partition));
            """),
    ]

    static var version: Int { migrations.last?.version ?? 0 }

    /// Advisory lock ids (`pg_advisory_lock(namespace, id)`): "WEIR" and what the lock guards.
    enum Lock: Int32 {
        static let namespace: Int32 = 0x5745_4952
        /// Migrations and the creation of key partitions.
        case schema = 1
        /// Dedup key inserts: makes "look up, then insert" of a commit's keys atomic across day partitions.
        case dedupKeys = 2
        /// Expiry of key partitions: one instance prunes at a time.
        case prune = 3

        var sql: String { "\(Lock.namespace), \(rawValue)" }
    }

    /// Brings the database to `version`; a no-op when another instance already did.
    /// - Throws: `PGError`; `StoreError` when the database holds a newer schema than this Weir knows.
    static func migrate(_ conn: PGConnection) throws {
        try conn.transaction {
            try conn.query("SELECT pg_advisory_xact_lock(\(Lock.schema.sql))")
            try conn.query("CREATE TABLE IF NOT EXISTS weir_schema_version(version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            let current = Int(try conn.query("SELECT coalesce(max(version), 0) FROM weir_schema_version").scalar ?? "0") ?? 0
            guard current <= version else {
                throw StoreError(message: "the database's schema is version \(current), newer than this Weir's (\(version))",
                                 isRetriable: false, fix: "upgrade weir on this host to the version the other hosts run")
            }
            for migration in migrations where migration.version > current {
                try conn.query(migration.sql)
                try conn.query("INSERT INTO weir_schema_version(version) VALUES ($1)", [String(migration.version)])
            }
        }
    }
}
