import EventSchema
import Foundation
import Kafka
import Logging
import Parquet
import Testing
@testable import Pipeline

/// Issue 19 end to end: a pipeline whose partition another instance claimed after its assignment (it is a zombie
/// for that partition) sends no DLQ record and commits nothing; the next owner delivers every DLQ record once.
/// The DLQ is a topic on the embedded cluster, the store SQLite, the source the poison corpus in memory.
@Suite(.serialized) struct DeadLetterFenceTests {
    @Test(.timeLimit(.minutes(3)))
    func aZombieDeliversNoDeadLetterAndTheNextOwnerDeliversEachOnce() async throws {
        let corpus = try loadPoisonCorpus()
        let dlqCases = corpus.filter { $0.expect == "dlq" }.count
        try #require(dlqCases > 0)
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("pi2_events_dlq", partitions: 1)
        let h = try Harness("dlq-fence")
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let partition = SourcePartition(topic: "pi2_events", partition: 0)
        func sink() throws -> KafkaDeadLetterSink {
            let config = KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers, messageTimeoutMs: 10_000)
            return KafkaDeadLetterSink(producer: try KafkaProducer(config: config), topic: "pi2_events_dlq",
                                       bootstrapServers: cluster.bootstrapServers, messageTimeout: config.effectiveMessageTimeout!)
        }
        func runner(_ deadLetters: DeadLetterSink, observer: PipelineObserver, logger: Logger) throws -> PipelineRunner {
            PipelineRunner(config: h.config, source: InMemoryRecordSource(values: corpus.map(\.value)), store: h.store,
                           committer: try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions()),
                           deadLetters: deadLetters, evaluator: RecordEvaluator(schema: schema, config: h.config),
                           options: .init(untilIdle: .milliseconds(250)), observer: observer, logger: logger)
        }

        // The zombie: right after it claimed its assignment, another instance claims the partition.
        let capture = LogCapture()
        let store = h.store
        let zombie = try runner(try sink(), observer: PipelineObserver(rebalanced: { partitions in
            _ = try? store.claimPartitions(partitions, owner: "new-owner")
        }), logger: Logger(label: "weir.pipeline", factory: { _ in CapturingLogHandler(capture: capture) }))
        let finished = LockedBox(false)
        let running = Task {
            defer { finished.value = true }
            try await zombie.run()
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while !capture.lines.contains(where: { $0.contains("commit refused") && $0.contains("claimed by instance new-owner") }),
              !finished.value, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        zombie.requestStop()
        try await running.value
        #expect(capture.lines.contains { $0.contains("commit refused") && $0.contains("pi2_events[0] was claimed by instance new-owner") },
                "\(capture.lines.suffix(5))")
        let probe = try sink()
        #expect(try await probe.currentMarks().map(\.scanFrom) == [0], "the zombie put nothing in the DLQ topic")
        #expect(try h.store.storedOffsets([partition]).isEmpty, "the zombie committed nothing")
        #expect(Paths.files(under: h.root, suffix: ".parquet").isEmpty)

        // The next owner (a restarted instance, claiming at its assignment) delivers every DLQ record once.
        let owner = try runner(probe, observer: PipelineObserver(), logger: Logger(label: "weir.pipeline"))
        try await owner.run()
        #expect(owner.committedCounts.invalid == dlqCases)
        let check = try sink()
        defer { Task { await check.close() } }
        #expect(try await check.currentMarks().map(\.scanFrom) == [Int64(dlqCases)], "each DLQ record once in the topic")
        let delivered = try await check.alreadyDelivered(from: [partition: 0], marks: [:])
        #expect(delivered.map(\.offset).sorted() == corpus.indices.filter { corpus[$0].expect == "dlq" }.map(Int64.init))
        #expect(try h.store.storedOffsets([partition]) == [partition: Int64(corpus.count)])
    }
}
