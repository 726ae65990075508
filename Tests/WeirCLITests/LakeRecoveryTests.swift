import Foundation
import Kafka
import Pipeline
import Testing
@testable import WeirCLI

/// Two ways a lake used to skip or double records silently (issue 15): a lost checkpoint store, and a topic
/// recreated and refilled past the stored offsets. Both on embedded clusters with real `weir` processes.
@Suite(.serialized) struct LakeRecoveryTests {
    static func produce(_ generator: inout Pi2EventGenerator, count: Int, topic: String, partitions: Int32? = nil,
                        bootstrap: String) async throws {
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: bootstrap))
        var batch: [KafkaOutgoingMessage] = []
        for i in 0..<count {
            batch.append(KafkaOutgoingMessage(topic: topic, partition: partitions.map { Int32(i) % $0 }, value: generator.next()))
            if batch.count == 10_000 { _ = try await producer.sendAll(batch); batch = [] }
        }
        if !batch.isEmpty { _ = try await producer.sendAll(batch) }
        let violations = try await producer.retentionViolations(topic: topic)
        await producer.close()
        guard violations.isEmpty else { throw OracleError(message: "the embedded broker dropped data: \(violations)") }
    }

    static func run(_ bootstrap: String, topic: String, group: String, lake: String) async throws -> ChildProcess {
        let child = try ChildProcess(RepoPaths.weir, [
            "run", "--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", group, "--out-dir", lake,
            "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml", "--listen", "off", "--session-timeout", "4s",
            "--flush-rows", "5000", "--flush-interval", "1s", "--until-idle", "5", "--log-format", "json"],
            directory: RepoPaths.root)
        await child.wait(timeout: .seconds(600))
        return child
    }

    /// The operator deletes a damaged store: `weir run` refuses (exit 2) instead of landing the lake again;
    /// `weir checkpoint rebuild` restores it from the lake; a run with more events (under a new consumer group, as
    /// when the group's offsets expired) then lands every valid unique event exactly once and dead-letters every
    /// invalid one exactly once.
    @Test(.timeLimit(.minutes(10)))
    func aLostStoreRefusesToStartAndRebuildLandsNothingTwice() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("lost", partitions: 3)
        try cluster.createTopic("lost_dlq", partitions: 1)
        let lake = try RepoPaths.temporaryDirectory("lost-store")
        defer { try? FileManager.default.removeItem(atPath: lake) }
        var generator = Pi2EventGenerator(seed: 21, invalidRatio: 0.10, duplicateRatio: 0.05)
        try await Self.produce(&generator, count: 6_000, topic: "lost", bootstrap: cluster.bootstrapServers)

        let first = try await Self.run(cluster.bootstrapServers, topic: "lost", group: "lost-1", lake: lake)
        #expect(first.process.terminationStatus == 0, "first run: \(first.stderr.suffix(2000))")
        let landed = try await LakeStats.of(lake).rows
        #expect(landed > 0)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: lake + "/_weir/checkpoint.sqlite" + suffix) }

        let refused = try await Self.run(cluster.bootstrapServers, topic: "lost", group: "lost-2", lake: lake)
        #expect(refused.process.terminationStatus == 2, "a run with a lost store must refuse: \(refused.stderr.suffix(2000))")
        #expect(refused.stderr.contains("weir: invalid configuration: lake.out_dir: "))
        #expect(refused.stderr.contains("checkpoint store"))
        #expect(refused.stderr.contains("weir checkpoint rebuild --out-dir"))
        #expect(try await LakeStats.of(lake).rows == landed, "the refused run landed nothing")

        let (status, out, err) = try await ChildProcess.run(RepoPaths.weir, ["checkpoint", "rebuild", "--out-dir", lake, "--topic", "lost"])
        #expect(status == 0, "rebuild failed: \(err)")
        #expect(out.contains("offsets"), "\(out)")

        try await Self.produce(&generator, count: 6_000, topic: "lost", bootstrap: cluster.bootstrapServers)
        let last = try await Self.run(cluster.bootstrapServers, topic: "lost", group: "lost-2", lake: lake)
        #expect(last.process.terminationStatus == 0, "run after rebuild: \(last.stderr.suffix(2000))")

        let expected = generator.expected
        let stats = try await LakeStats.of(lake)
        #expect(stats.unreadable.isEmpty)
        #expect(stats.rows == expected.validUnique)
        #expect(stats.distinct == expected.validUnique)
        #expect(stats.sum == expected.sumMonto)
        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: "lost_dlq")
        #expect(dlq.count == expected.invalid, "DLQ holds \(dlq.count), expected \(expected.invalid)")
        #expect(Set(dlq).count == dlq.count, "the DLQ holds \(dlq.count - Set(dlq).count) records twice")
    }

    /// 25,000 records per partition landed from one cluster; then the topic is recreated on a fresh cluster and
    /// refilled with 30,000 per partition. The run must stop with the error, not land the last 5,000 per partition
    /// and skip the first 25,000.
    @Test(.timeLimit(.minutes(10)))
    func aRefilledRecreatedTopicStopsTheRun() async throws {
        let lake = try RepoPaths.temporaryDirectory("refilled")
        defer { try? FileManager.default.removeItem(atPath: lake) }
        do {
            let cluster = try EmbeddedKafkaCluster(brokers: 1)
            defer { cluster.shutdown() }
            try cluster.createTopic("refill", partitions: 2)
            try cluster.createTopic("refill_dlq", partitions: 1)
            var generator = Pi2EventGenerator(seed: 5, invalidRatio: 0, duplicateRatio: 0)
            try await Self.produce(&generator, count: 50_000, topic: "refill", partitions: 2, bootstrap: cluster.bootstrapServers)
            let first = try await Self.run(cluster.bootstrapServers, topic: "refill", group: "refill", lake: lake)
            #expect(first.process.terminationStatus == 0, "first run: \(first.stderr.suffix(2000))")
        }
        #expect(try await LakeStats.of(lake).rows == 50_000)

        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("refill", partitions: 2)
        try cluster.createTopic("refill_dlq", partitions: 1)
        var generator = Pi2EventGenerator(seed: 6, invalidRatio: 0, duplicateRatio: 0)
        try await Self.produce(&generator, count: 60_000, topic: "refill", partitions: 2, bootstrap: cluster.bootstrapServers)
        let second = try await Self.run(cluster.bootstrapServers, topic: "refill", group: "refill", lake: lake)
        #expect(second.process.terminationStatus == 2, "the run must stop with the operator's exit status: \(second.stderr.suffix(3000))")
        #expect(second.stderr.contains("weir: the checkpoint store "), "errors start with weir:")
        #expect(second.stderr.contains("Weir stops instead of skipping those records (fix: land this topic into a new lake.out_dir)"),
                "\(second.stderr.suffix(3000))")
        #expect(try await LakeStats.of(lake).rows == 50_000, "nothing of the new topic landed")
    }

    /// The Kafka source reads the fingerprint of the record at a given offset (what the check compares with the
    /// store's), and reports nothing for an offset with no record; each cluster has its own id.
    @Test(.timeLimit(.minutes(3)))
    func theKafkaSourceReadsFingerprintsAndClusterIDs() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let other = try EmbeddedKafkaCluster(brokers: 1)
        defer { other.shutdown() }
        try cluster.createTopic("fp", partitions: 2)
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers))
        _ = try await producer.sendAll((0..<20).map {
            KafkaOutgoingMessage(topic: "fp", partition: Int32($0 % 2), value: Array("value \($0)".utf8))
        })
        await producer.close()
        let source = KafkaRecordSource(config: KafkaConsumerConfig(bootstrapServers: cluster.bootstrapServers, groupId: "fp"), topic: "fp")
        let p0 = SourcePartition(topic: "fp", partition: 0), p1 = SourcePartition(topic: "fp", partition: 1)
        let found = await source.fingerprints(at: [p0: 3, p1: 9]) ?? [:]
        #expect(found[p0]?.valueHash == RecordFingerprint(timestampMs: nil, value: Array("value 6".utf8)).valueHash)
        #expect(found[p1]?.valueHash == RecordFingerprint(timestampMs: nil, value: Array("value 19".utf8)).valueHash)
        #expect(found[p0]?.timestampMs != nil)
        let started = ContinuousClock.now
        #expect(await source.fingerprints(at: [p0: 10])?.isEmpty == true, "offset 10 is the partition's end")
        #expect(ContinuousClock.now - started < .seconds(25), "the end of the partition ends the wait")

        func clusterID(_ c: EmbeddedKafkaCluster) async throws -> String? {
            let consumer = try KafkaConsumer(config: KafkaConsumerConfig(bootstrapServers: c.bootstrapServers, groupId: "id"))
            defer { Task { await consumer.close() } }
            return await consumer.clusterID(timeout: .seconds(10))
        }
        let first = try await clusterID(cluster), second = try await clusterID(other)
        #expect(first != nil)
        #expect(first != second)
    }
}
