import Kafka
@testable import WeirCLI

/// Loads generated pi2 events (10% invalid, 5% duplicates) into a new topic of an embedded cluster, with its
/// DLQ topic, and checks that the broker kept all of them. Returns what a correct pipeline must land.
enum GeneratedTopic {
    /// - Parameter roundRobin: when true, event i goes to partition i % `partitions`, so every partition holds
    ///   events whatever the timing; otherwise the producer's partitioner decides, and its sticky partitioning of
    ///   keyless records may put a whole quickly produced batch into one partition. Loads of 100,000 events or more
    ///   go round robin: a partition the sticky choice fills past the embedded broker's ~5 MiB loses its oldest
    ///   records (SeveralHostsTests once found 103,616 of 300,000 records in one of 12 partitions).
    static func load(_ cluster: EmbeddedKafkaCluster, topic: String, partitions: Int, dlqPartitions: Int,
                     events: Int, seed: UInt64, roundRobin: Bool = false) async throws -> Pi2EventGenerator.Expected {
        try cluster.createTopic(topic, partitions: partitions)
        try cluster.createTopic(topic + "_dlq", partitions: dlqPartitions)
        var generator = Pi2EventGenerator(seed: seed, invalidRatio: 0.10, duplicateRatio: 0.05)
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers))
        var batch: [KafkaOutgoingMessage] = []
        for i in 0..<events {
            let partition = roundRobin ? Int32(i % partitions) : nil
            batch.append(KafkaOutgoingMessage(topic: topic, partition: partition, value: generator.next()))
            if batch.count == 10_000 { _ = try await producer.sendAll(batch); batch = [] }
        }
        if !batch.isEmpty { _ = try await producer.sendAll(batch) }
        let violations = try await producer.retentionViolations(topic: topic)
        await producer.close()
        guard violations.isEmpty else { throw OracleError(message: "the embedded broker dropped data: \(violations)") }
        return generator.expected
    }
}
