import Foundation
import Kafka
import Pipeline
import Testing
@testable import WeirCLI

/// A new lake (empty store) read with a consumer group that already committed offsets, for another lake, used to
/// start at the group's offsets and land nothing, silently. The store decides: the new lake lands the whole topic,
/// and the run warns, naming the group and the offsets it ignored.
@Suite(.serialized) struct NewLakeSharedGroupTests {
    @Test(.timeLimit(.minutes(10)))
    func aNewLakeLandsEverythingAndNamesTheGroupsOffsets() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "shared", partitions: 2, dlqPartitions: 1,
                                                     events: 4_000, seed: 41)
        let dir = try RepoPaths.temporaryDirectory("shared-group")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let first = try await LakeRecoveryTests.run(cluster.bootstrapServers, topic: "shared", group: "trial", lake: dir + "/a")
        #expect(first.process.terminationStatus == 0, "first lake: \(first.output("weir run (lake a)"))")
        #expect(try await LakeStats.of(dir + "/a").rows == expected.validUnique)

        // Same group, new lake: the group's offsets are at the end of both partitions.
        let second = try await LakeRecoveryTests.run(cluster.bootstrapServers, topic: "shared", group: "trial", lake: dir + "/b")
        #expect(second.process.terminationStatus == 0, "second lake: \(second.output("weir run (lake b)"))")
        let stats = try await LakeStats.of(dir + "/b")
        #expect(stats.rows == expected.validUnique, "the new lake holds every valid unique event: \(second.output("weir run (lake b)"))")
        #expect(stats.distinct == expected.validUnique)
        let warning = second.stderr.split(separator: "\n").first { $0.contains("consumer group trial has committed offsets") }
        #expect(warning != nil, "\(second.stderr.suffix(3000))")
        #expect(warning?.contains("shared[0]=") == true && warning?.contains("shared[1]=") == true, "\(warning ?? "")")
        #expect(warning?.contains("\"level\":\"warning\"") == true, "\(warning ?? "")")
        #expect(!first.stderr.contains("has committed offsets"), "a new group has nothing to warn about")
    }
}
