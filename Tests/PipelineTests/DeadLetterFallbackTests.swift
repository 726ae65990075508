import Foundation
import Kafka
import Parquet
import Testing
@testable import Pipeline

/// Issue 15: a DLQ delivery error that is not transient never blocks the records behind it. On the embedded
/// cluster the brokers refuse every produce: records refused for their size are sent again as the minimal
/// envelope, and records refused for any other lasting reason go to the file DLQ, staged with the commit.
@Suite(.serialized) struct DeadLetterFallbackTests {
    func records(_ n: Int) -> [DeadLetterRecord] {
        (0..<n).map { i in
            DeadLetterRecord(sourceTopic: "src", sourcePartition: 0, sourceOffset: Int64(i), sourceTimestampMs: nil, key: nil,
                             payload: Array("not json \(i)".utf8), rejection: Rejection(reason: .parseError, stage: "decode", detail: "x"),
                             schemaVersion: "v1", failedAtMicros: 1_761_825_600_000_000)
        }
    }

    func committer() throws -> (LakeCommitter, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("weir-dlq-fallback-\(UUID().uuidString.prefix(8))").path
        let layout = LakeLayout(root: root + "/lake")
        try layout.createDirectories()
        let store = try SQLiteCheckpointStore(path: layout.storePath)
        return (try LakeCommitter(layout: layout, store: store, writerOptions: ParquetWriterOptions()), root)
    }

    /// An embedded cluster with the DLQ topic `src_dlq`, a Kafka DLQ sink on it that has fetched metadata and
    /// connected, and a lake to stage file-DLQ records in; all removed afterwards.
    func withSink(_ body: (EmbeddedKafkaCluster, KafkaDeadLetterSink, LakeCommitter) async throws -> Void) async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("src_dlq", partitions: 1)
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers))
        let sink = KafkaDeadLetterSink(producer: producer, topic: "src_dlq", bootstrapServers: cluster.bootstrapServers)
        defer { Task { await sink.close() } }
        let (committer, root) = try committer()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try await sink.currentMarks()  // metadata and connection first
        try await body(cluster, sink, committer)
    }

    @Test(.timeLimit(.minutes(3)))
    func refusedRecordsGoToTheFileDLQ() async throws { try await withSink { cluster, sink, committer in

        // Every produce refused: TOPIC_AUTHORIZATION_FAILED (29), not transient and not about the size.
        cluster.pushRequestErrors(apiKey: 0, errors: Array(repeating: 29, count: 20))
        let delivery = try await sink.deliver(records(5), committer: committer, permit: .unfenced)
        #expect(delivery.toFile == 5)
        let lines = try delivery.stagedFiles.flatMap { file in
            try String(contentsOfFile: file.stagingPath, encoding: .utf8).split(separator: "\n")
        }
        let offsets = lines.compactMap { line -> Int? in
            let e = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return ((e?["source"] as? [String: Any])?["offset"] as? NSNumber)?.intValue
        }
        #expect(offsets.sorted() == [0, 1, 2, 3, 4], "\(lines)")
        #expect(delivery.stagedFiles.allSatisfy { $0.finalPath.contains("/_dlq/date=") })
    } }

    @Test(.timeLimit(.minutes(3)))
    func recordsRefusedForTheirSizeAreSentAsTheMinimalEnvelope() async throws { try await withSink { cluster, sink, committer in

        // The broker refuses the first produce for its size (MESSAGE_TOO_LARGE, 10), as a topic whose
        // max.message.bytes is below what Weir was told would.
        cluster.pushRequestErrors(apiKey: 0, errors: [10])
        let delivery = try await sink.deliver(records(5), committer: committer, permit: .unfenced)
        #expect(delivery.toFile == 0 && delivery.stagedFiles.isEmpty)
        #expect(delivery.truncated == 5)
        let inTopic = try await sink.alreadyDelivered(from: [SourcePartition(topic: "src", partition: 0): 0], marks: [:])
        #expect(inTopic.map(\.offset).sorted() == [0, 1, 2, 3, 4])
    } }
}
