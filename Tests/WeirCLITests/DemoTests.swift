import Foundation
import Testing

/// `weir demo` runs from any directory (its schema is built into the binary), reconciles, exits 0, and its output
/// ends with its summary: no client is left to log after it (issues 9 and 16).
@Suite(.serialized) struct DemoTests {
    @Test(.timeLimit(.minutes(5)))
    func demoReconcilesFromAnyDirectoryAndEndsWithItsSummary() async throws {
        // A working directory outside the repository, holding no schema and no weir.yaml.
        let dir = try RepoPaths.temporaryDirectory("demo")
        defer { RepoPaths.remove(dir) }
        let lake = dir + "/lake"
        // One stream (stderr merged into stdout, in order), so "ends with the summary" covers librdkafka's logs too.
        let demo = try ChildProcess("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>&1", RepoPaths.weir, "demo", "--events", "20000",
                                                 "--out-dir", lake, "--listen", "127.0.0.1:0", "--log-format", "json"],
                                    directory: dir)
        let status = await demo.wait(timeout: .seconds(240))
        let out = demo.stdout
        #expect(status == 0, "demo failed: \(demo.output("weir demo"))")
        #expect(out.contains("reconciled: 20000 produced"), "\(demo.output("weir demo"))")
        #expect(out.contains("read_parquet('\(lake)/**/*.parquet', hive_partitioning=1)"))
        // With --listen on port 0 the printed URL names the port that was actually bound.
        let url = out.split(separator: "\n").first { $0.contains("metrics at http://") }
        #expect(url != nil && !url!.contains(":0/metrics"), "\(url ?? "no metrics URL printed")")

        // The summary is the end of the output: from its header on, only its own lines.
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.lastIndex { $0.hasPrefix("── summary") }, "no summary: \(out.suffix(2000))")
        let tail = lines[header...].filter { !$0.isEmpty }
        #expect(tail.last?.contains("read_parquet(") == true, "output after the summary:\n\(tail.joined(separator: "\n"))")
        let foreign = tail.filter { $0.hasPrefix("{") || $0.contains("rdkafka") || $0.contains("brokers are down") }
        #expect(foreign.isEmpty, "log lines after the summary:\n\(foreign.joined(separator: "\n"))")
        // Nor before it: a client that outlived the brokers' shutdown (which comes just before the summary) would
        // log its lost connections at error level although the demo succeeded.
        let errors = lines.filter { $0.contains(#""level":"error""#) || $0.contains("brokers are down") || $0.contains("Connection refused") }
        #expect(errors.isEmpty, "error lines in a demo that succeeded:\n\(errors.joined(separator: "\n"))")

        // The lake agrees with the summary's landed count.
        let landed = lines.first { $0.hasPrefix("landed in the lake") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
        let stats = try await LakeStats.of(lake)
        #expect(landed == stats.rows)
        #expect(stats.rows == stats.distinct)
        #expect(stats.unreadable.isEmpty)
    }
}
