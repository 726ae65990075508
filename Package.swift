// swift-tools-version: 6.0
// Weir: Kafka → validate → deduplicate → enrich → Hive-partitioned Parquet lake.
// See docs/ARCHITECTURE.md for what each target owns and how they depend on each other.
import PackageDescription

let package = Package(
    name: "weir",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "weir", targets: ["weir"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "EventSchema", targets: ["EventSchema"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "ObjectStore", targets: ["ObjectStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // System libraries (module map + pkg-config). Nothing else lives here.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),  // SHA-256, MD5
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),  // the PostgreSQL store
        // jemalloc, linked into every process that links WeirCLI and into the benchmark executables, with Weir's settings
        // (Sources/WeirAllocator).
        .target(name: "WeirAllocator", linkerSettings: [.linkedLibrary("jemalloc")]),
        // A software prefetch for Swift (header-only C wrapper of `__builtin_prefetch`): the dedup key filters' probes.
        .target(name: "CPrefetch"),

        // Core libraries.
        .target(name: "Parquet", dependencies: ["CSnappy", "CZstd", "CZlib"]),
        .target(name: "EventSchema", dependencies: [.product(name: "Yams", package: "Yams")]),
        // SplitMix64, the seeded PRNG of `weir produce`'s generator and of the tests.
        .target(name: "SeededRandom"),
        .target(name: "Kafka", dependencies: [
            "CRdKafka",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "ObjectStore", dependencies: ["CCurl", "CCrypto"]),
        // Apache Iceberg format v2: an Avro container encoder of our own, table metadata, manifests (pure, no I/O).
        .target(name: "Iceberg", dependencies: ["CZlib"]),
        .target(name: "Pipeline", dependencies: [
            "Parquet", "EventSchema", "Kafka", "ObjectStore", "Iceberg", "CSQLite", "CCrypto", "CLibPQ", "CPrefetch",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Observability", dependencies: [
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "WeirCLI", dependencies: [
            "Parquet", "EventSchema", "Kafka", "Pipeline", "ObjectStore", "Iceberg", "Observability", "WeirAllocator", "SeededRandom",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "weir", dependencies: ["WeirCLI"]),
        .executableTarget(name: "SchemaBench", dependencies: ["EventSchema", "WeirAllocator"], path: "bench/SchemaBench"),
        .executableTarget(name: "ParquetBench", dependencies: ["Parquet", "WeirAllocator"], path: "bench/ParquetBench"),
        .executableTarget(name: "ConsumeBench", dependencies: ["Kafka", "WeirAllocator"], path: "bench/ConsumeBench"),
        .executableTarget(name: "StagesBench", dependencies: ["Pipeline", "EventSchema", "Parquet", "WeirAllocator"], path: "bench/StagesBench"),
        .executableTarget(name: "DedupBench", dependencies: ["Pipeline", "EventSchema", "WeirAllocator"], path: "bench/DedupBench"),

        // Tests (Swift Testing everywhere). WeirTestSupport: the Python-oracle runner, and SeededRandom re-exported.
        .target(name: "WeirTestSupport", dependencies: ["SeededRandom"], path: "Tests/WeirTestSupport"),
        .target(name: "ObjectStoreTestSupport", dependencies: ["ObjectStore", "WeirTestSupport"],
                path: "Tests/ObjectStoreTestSupport"),
        // A throwaway PostgreSQL server (Debian's postgresql-15) for the PostgreSQL store's tests.
        .target(name: "PostgresTestSupport", dependencies: ["WeirTestSupport"], path: "Tests/PostgresTestSupport"),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CRdKafka", "CSnappy", "CZstd", "CZlib", "CSQLite", "CCurl", "CCrypto"]),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "ObjectStoreTestSupport", "WeirTestSupport"]),
        .testTarget(name: "IcebergTests", dependencies: ["Iceberg", "WeirTestSupport"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "WeirTestSupport"]),
        .testTarget(name: "EventSchemaTests", dependencies: ["EventSchema", "WeirTestSupport"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "ObjectStore", "Iceberg", "ObjectStoreTestSupport", "WeirTestSupport", "PostgresTestSupport"]),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability", "WeirTestSupport"]),
        .testTarget(name: "WeirCLITests", dependencies: ["WeirCLI", "Pipeline", "Iceberg", "Kafka", "EventSchema", "Parquet", "SeededRandom", "ObjectStore", "ObjectStoreTestSupport", "WeirTestSupport", "PostgresTestSupport", "WeirAllocator"]),
    ]
)
