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
        // Round-robin, so that the group commits an offset past 0 for both partitions (a keyless batch produced
        // quickly may otherwise all land in one partition, leaving nothing to warn about for the other).
        let expected = try await GeneratedTopic.load(cluster, topic: "shared", partitions: 2, dlqPartitions: 1,
                                                     events: 4_000, seed: 41, roundRobin: true)
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
        // One warning per assignment that brings partitions without a stored position: if the second run is
        // assigned shared[0] and shared[1] in different rebalances, it warns twice.
        let warnings = second.stderr.split(separator: "\n").filter { $0.contains("consumer group trial has committed offsets") }
        let named = warnings.joined(separator: "\n")
        #expect(!warnings.isEmpty, "\(second.output("weir run (lake b)"))")
        #expect(named.contains("shared[0]=") && named.contains("shared[1]="), "\(named)\n\(second.output("weir run (lake b)"))")
        #expect(warnings.allSatisfy { $0.contains("\"level\":\"warning\"") }, "\(named)")
        for p in ["shared[0]=", "shared[1]="] {
            #expect(warnings.filter { $0.contains(p) }.count == 1, "one warning per partition and process: \(named)")
        }
        #expect(!first.stderr.contains("has committed offsets"), "a new group has nothing to warn about")
    }
}
