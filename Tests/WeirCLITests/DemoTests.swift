import Foundation
import Testing

/// `weir demo --events 20000` reconciles and exits 0 (issue 9).
@Suite(.serialized) struct DemoTests {
    @Test(.timeLimit(.minutes(5)))
    func demoReconcilesAndExitsZero() async throws {
        let lake = try RepoPaths.temporaryDirectory("demo") + "/lake"
        let demo = try ChildProcess(RepoPaths.weir, ["demo", "--events", "20000", "--out-dir", lake, "--listen", "127.0.0.1:0",
                                                      "--log-format", "json"], directory: RepoPaths.root)
        let status = await demo.wait(timeout: .seconds(240))
        let out = demo.stdout
        #expect(status == 0, "demo failed: \(out.suffix(1500)) \(demo.stderr.suffix(1500))")
        #expect(out.contains("reconciled: 20000 produced"))
        #expect(out.contains("read_parquet('\(lake)/**/*.parquet', hive_partitioning=1)"))
        // With --listen on port 0 the printed URL names the port that was actually bound.
        let url = out.split(separator: "\n").first { $0.contains("metrics at http://") }
        #expect(url != nil && !url!.contains(":0/metrics"), "\(url ?? "no metrics URL printed")")

        // The lake agrees with the summary's landed count.
        let landed = out.split(separator: "\n").first { $0.hasPrefix("landed in the lake") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
        let stats = try await LakeStats.of(lake)
        #expect(landed == stats.rows)
        #expect(stats.rows == stats.distinct)
        #expect(stats.unreadable.isEmpty)
    }
}
