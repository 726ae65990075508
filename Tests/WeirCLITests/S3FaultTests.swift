import Foundation
import Kafka
import ObjectStoreTestSupport
import Testing
@testable import WeirCLI

/// Object-store faults during `weir run` into an `s3://` lake on SeaweedFS (issue 18): the service stopped
/// (SIGSTOP) for 10 s mid-run, and a proxy answering every third request with 503 SlowDown. Each run must end
/// with every valid unique event once in the lake (pyarrow and DuckDB) and every invalid one once in the DLQ.
@Suite(.serialized) struct S3FaultTests {
    /// The service freezes for 10 s after the first files are published: requests in flight and new ones wait (no
    /// byte moves for less than the client's 60 s stall timeout), the lease renewals too; then everything resumes.
    @Test(.timeLimit(.minutes(10)))
    func aStoppedObjectStoreDelaysTheRunButLosesNothing() async throws {
        let server = try SeaweedServer.start()
        defer { kill(server.pid, SIGCONT); server.stop() }
        let lake = try S3LakeTests.Lake(server: server, name: "s3stop")
        defer { RepoPaths.remove(lake.root) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "s3stop", partitions: 4, dlqPartitions: 1, events: 40_000, seed: 22)

        let run = try lake.start(host: "host", bootstrap: cluster.bootstrapServers, topic: "s3stop")
        defer { run.kill() }
        let client = try server.client()
        let prefix = String(lake.uri.dropFirst("s3://\(server.bucket)/".count))
        let deadline = ContinuousClock.now + .seconds(300)
        while run.process.isRunning && ContinuousClock.now < deadline,
              try client.listAllObjects(prefix: prefix + "/date=").isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(run.process.isRunning, "the run ended before the service could be stopped: \(run.output("weir run"))")
        #expect(kill(server.pid, SIGSTOP) == 0)
        try await Task.sleep(for: .seconds(10))
        #expect(kill(server.pid, SIGCONT) == 0)
        #expect(await run.wait(timeout: .seconds(600)) == 0, "\(run.output("weir run"))")
        try await lake.expectExactlyOnce(expected, cluster, topic: "s3stop", run.output("weir run"))
        #expect(try lake.leftovers().staging.isEmpty)
    }

    /// `testdata/oracles/slowdown_proxy.py` between Weir and SeaweedFS answers every third request with 503
    /// SlowDown: the client retries each (logged at warning, counted in `weir_lake_object_store_retries_total`),
    /// and the lake ends exactly once.
    @Test(.timeLimit(.minutes(10)))
    func slowDownOnEveryThirdRequestIsRetriedAndLosesNothing() async throws {
        let server = try SeaweedServer.start()
        defer { server.stop() }
        let lake = try S3LakeTests.Lake(server: server, name: "s3slow")
        defer { RepoPaths.remove(lake.root) }
        let upstream = try #require(URL(string: server.endpoint)?.port)
        let proxy = try ChildProcess(RepoPaths.python, [RepoPaths.oracle("slowdown_proxy.py"), String(upstream), "--every", "3"])
        defer { proxy.kill() }
        let deadline = ContinuousClock.now + .seconds(60)
        while proxy.process.isRunning && !proxy.stdout.contains("\n") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let port = try #require(Int(proxy.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(proxy.output("proxy"))")
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let expected = try await GeneratedTopic.load(cluster, topic: "s3slow", partitions: 4, dlqPartitions: 1, events: 20_000, seed: 23)

        let dir = try lake.host("host")
        let yaml = try String(contentsOfFile: dir + "/weir.yaml", encoding: .utf8)
        try yaml.replacingOccurrences(of: server.endpoint, with: "http://127.0.0.1:\(port)")
            .write(toFile: dir + "/weir.yaml", atomically: true, encoding: .utf8)
        let run = try ChildProcess(RepoPaths.weir, [
            "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", "s3slow", "--group-id", "s3slow", "--listen", "off",
            "--session-timeout", "4s", "--flush-rows", "3000", "--flush-interval", "1s", "--until-idle", "5", "--log-format", "json"],
            environment: lake.environment.merging(["TMPDIR": dir], uniquingKeysWith: { $1 }), directory: dir)
        defer { run.kill() }
        #expect(await run.wait(timeout: .seconds(600)) == 0, "\(run.output("weir run"))\n\(proxy.output("proxy"))")
        let injected = proxy.stderr.split(separator: "\n").filter { $0.hasPrefix("slowdown_proxy: 503") }.count
        let retried = run.stderr.split(separator: "\n").filter { $0.contains("the object store request failed and is retried") && $0.contains("SlowDown") }.count
        #expect(injected >= 10, "\(proxy.output("proxy"))")
        #expect(retried >= injected - 1 && retried <= injected,
                "weir logged \(retried) SlowDown retries; the proxy injected \(injected) (the last may have hit a lease renewal in flight at exit)")
        try await lake.expectExactlyOnce(expected, cluster, topic: "s3slow", run.output("weir run"))
        #expect(try lake.leftovers().staging.isEmpty)
    }
}
