import Foundation
import Kafka
import PostgresTestSupport
import Testing
@testable import WeirCLI

/// One setup of the crash test: the lake format and the load the killed runs land.
struct CrashScenario: Sendable, CustomTestStringConvertible {
    let topic: String
    let events: Int
    let flushRows: Int
    /// `lake.format: iceberg` (the table pi2.events); plain Hive-partitioned Parquet when false.
    let iceberg: Bool
    /// Where the checkpoint store is: the SQLite file in the lake, or PostgreSQL (`checkpoint.url`, issue 19).
    let store: Store
    enum Store: String, Sendable { case sqlite, postgres }
    var testDescription: String { "\(iceberg ? "iceberg" : "parquet") with the \(store.rawValue) store, \(events) events" }

    static let parquet = CrashScenario(topic: "crash", events: 200_000, flushRows: 4_000, iceberg: false, store: .sqlite)
    static let parquetOnPostgres = CrashScenario(topic: "crash", events: 200_000, flushRows: 4_000, iceberg: false, store: .postgres)
    /// Fewer events (each commit rewrites the table metadata and the oracle reads every row through pyiceberg);
    /// smaller flushes keep the commits, and so the kills inside them, as frequent.
    static let iceberg = CrashScenario(topic: "icecrash", events: 60_000, flushRows: 2_000, iceberg: true, store: .sqlite)
}

/// The pipeline's crash test (issues 6 and 20): generated events (10% invalid, 5% duplicates) on an embedded
/// cluster; `weir run` is SIGKILLed at random moments at least 20 times, at least 3 of them inside a commit
/// (fault hook), and restarted each time. Then the lake must hold every valid unique event exactly once with the
/// generator's sum of `monto` and rows per date, and the DLQ topic every invalid event exactly once. A plain lake
/// must have every file readable; an Iceberg table, read through pyiceberg, must add no data file twice across its
/// snapshots and keep no file it does not reference after the final run's recovery. Plain Parquet runs with the
/// SQLite store in the lake and with a PostgreSQL store (`checkpoint.url`, issue 19).
@Suite(.serialized) struct CrashTests {
    @Test(.timeLimit(.minutes(20)), arguments: [CrashScenario.parquet, .parquetOnPostgres, .iceberg])
    func killedAtRandomMomentsLandsEveryEventExactlyOnce(_ scenario: CrashScenario) async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: scenario.topic, partitions: 8, dlqPartitions: 2,
                                                     events: scenario.events, seed: 7, roundRobin: true)
        let storeEnv = scenario.store == .postgres ? ["WEIR_CHECKPOINT_URL": try PostgresServer.shared.makeDatabase(scenario.topic)] : [:]

        let dir = try RepoPaths.temporaryDirectory("crash")
        defer { RepoPaths.remove(dir) }
        let lake = dir + "/lake", config = dir + "/weir.yaml"
        if scenario.iceberg {
            try "lake:\n  format: iceberg\n  iceberg:\n    table: pi2.events\n".write(toFile: config, atomically: true, encoding: .utf8)
        }
        func run(untilIdle: Bool, fault: Bool) throws -> ChildProcess {
            var args = ["run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", scenario.topic, "--group-id", "crash-test",
                        "--out-dir", lake, "--listen", "off", "--session-timeout", "4s",
                        "--flush-rows", String(scenario.flushRows), "--flush-interval", "1s", "--log-format", "json"]
            if scenario.iceberg { args += ["--config", config] }
            if untilIdle { args += ["--until-idle", "8"] }
            let env = fault ? ["WEIR_FAULT_KILL_AT": "staged,stored,published", "WEIR_FAULT_KILL_PROBABILITY": "0.4"] : [:]
            return try ChildProcess(RepoPaths.weir, args, environment: env.merging(storeEnv) { a, _ in a }, directory: RepoPaths.root)
        }

        // Phase 1: runs with the fault hook, each left to run until it kills itself inside a commit.
        // Phase 2: runs killed by the test at random moments (during joins, polls, flushes or commits).
        let loop = try await CrashKillLoop.run(faultWait: .seconds(60), randomWaitMs: 1_500...6_000) {
            try run(untilIdle: false, fault: $0)
        }
        #expect(loop.kills >= 20, "\(loop.lastOutputs.joined(separator: "\n"))")
        #expect(loop.commitKills >= 3, "\(loop.lastOutputs.joined(separator: "\n"))")

        let final = try run(untilIdle: true, fault: false)
        let status = await final.wait(timeout: .seconds(600))
        #expect(status == 0, "final run failed:\n\(final.output("final weir run"))")

        if scenario.iceberg {
            let (table, rows) = try IcebergTableOracle.readWithRows(lake)
            table.expectExactlyOnce(expected, lake: lake)
            try IcebergDuckDBOracle.read(lake).expectAgrees(with: table, rows: rows)  // DuckDB's iceberg_scan sees the same
        } else {
            let stats = try await LakeStats.of(lake)
            #expect(stats.unreadable.isEmpty, "unreadable files: \(stats.unreadable)")
            #expect(stats.rows == expected.validUnique)
            #expect(stats.distinct == expected.validUnique)
            #expect(stats.sum == expected.sumMonto)
            #expect(stats.per_date == expected.perDate)
        }

        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: scenario.topic + "_dlq")
        #expect(dlq.count == expected.invalid, "DLQ holds \(dlq.count), expected \(expected.invalid)")
        #expect(Set(dlq).count == dlq.count, "the DLQ holds \(dlq.count - Set(dlq).count) records twice")
    }
}

/// Reads a whole DLQ topic, from each partition's low to its high watermark.
enum DeadLetterTopic {
    /// The source coordinates (`partition/offset`) of its records.
    static func read(bootstrap: String, topic: String) async throws -> [String] {
        try await records(bootstrap: bootstrap, topic: topic).map { record in
            let headers = headerText(record)
            return "\(headers["weir.source.partition"] ?? "?")/\(headers["weir.source.offset"] ?? "?")"
        }
    }

    /// Its records (safety net: 60 s).
    static func records(bootstrap: String, topic: String) async throws -> [KafkaRecord] {
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: bootstrap))
        let partitions = try await producer.partitionCount(topic: topic, timeout: .seconds(10))
        var start: [TopicPartition: Int64] = [:]
        var remaining = 0
        for p in 0..<Int32(partitions) {
            let (low, high) = try await producer.watermarks(TopicPartition(topic: topic, partition: p), timeout: .seconds(10))
            start[TopicPartition(topic: topic, partition: p)] = low
            remaining += Int(high - low)
        }
        await producer.close()
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(bootstrapServers: bootstrap, groupId: "dlq-reader-\(UUID())"))
        try await consumer.assign(start)
        var out: [KafkaRecord] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while out.count < remaining && ContinuousClock.now < deadline {
            out.append(contentsOf: try await consumer.poll(maxRecords: 5_000, timeout: .milliseconds(500)))
        }
        await consumer.close()
        return out
    }

    /// A record's headers as text (the first value of a repeated key).
    static func headerText(_ record: KafkaRecord) -> [String: String] {
        Dictionary(record.headers.map { ($0.key, String(decoding: $0.value ?? [], as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
    }
}
