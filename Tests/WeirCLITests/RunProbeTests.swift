import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import Testing
@testable import Pipeline
@testable import WeirCLI

/// Issue 15, items 4 and 5, on a running `weir run`: `kafka_consumer_lag_seconds` reads 0 once a backfill of
/// historical event times has caught up and stays 0 while the topic is quiet (it used to read now − event time,
/// a year, and grow a second per second); `/readyz` answers 503 within a second while another process holds the
/// checkpoint store locked (it used to hang for the store's 30 s busy timeout and then say ready).
@Suite(.serialized) struct RunProbeTests {
    /// Starts `weir run` on a new topic loaded with generated events (their event times are in October 2025),
    /// waits until it listens and everything is committed, and returns it with its base URL.
    static func startCaughtUpRun(_ cluster: EmbeddedKafkaCluster, topic: String, lake: String) async throws -> (ChildProcess, String, Int) {
        let expected = try await GeneratedTopic.load(cluster, topic: topic, partitions: 2, dlqPartitions: 1, events: 3_000, seed: 4)
        let run = try ChildProcess(RepoPaths.weir, [
            "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", topic, "--group-id", topic,
            "--out-dir", lake, "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml", "--listen", "127.0.0.1:0",
            "--session-timeout", "6s", "--flush-interval", "1s", "--log-format", "json"])
        var base: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while base == nil && ContinuousClock.now < deadline && run.process.isRunning {
            if let range = run.stderr.range(of: #""address":"127\.0\.0\.1:[0-9]+""#, options: .regularExpression) {
                base = "http://" + run.stderr[range].dropFirst(#""address":""#.count).dropLast()
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let base else {
            run.kill(SIGTERM); await run.wait(timeout: .seconds(30))
            throw OracleError(message: "weir run did not listen:\n\(run.stderr.suffix(3000))")
        }
        return (run, base, expected.lines)
    }

    /// The value of every sample of `name` in a Prometheus text scrape.
    static func samples(_ name: String, in text: String) -> [Double] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { return nil }
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
    }

    /// The value of every sample of `name` in a Prometheus text scrape by the value of its label `label`.
    static func samples(_ name: String, by label: String, in text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard let start = line.range(of: label + "=\""), let end = line[start.upperBound...].firstIndex(of: "\""),
                  let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            out[String(line[start.upperBound..<end])] = value
        }
        return out
    }

    @Test(.timeLimit(.minutes(5)))
    func lagSecondsIsZeroOnceCaughtUpAndWhileQuiet() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let lake = try RepoPaths.temporaryDirectory("lag")
        defer { try? FileManager.default.removeItem(atPath: lake) }
        let (run, base, total) = try await Self.startCaughtUpRun(cluster, topic: "backfill", lake: lake)
        defer { if run.process.isRunning { run.kill() } }  // failure paths: stop it for sure (SIGKILL)
        // Caught up: every record committed and the offset lag of both partitions 0.
        var metrics = ""
        let deadline = ContinuousClock.now + .seconds(120)
        repeat {
            try await Task.sleep(for: .milliseconds(500))
            metrics = (try? await HTTP.get(base + "/metrics").body) ?? ""
            let processed = Self.samples("kafka_events_processed_total", in: metrics).reduce(0, +)
            let lags = Self.samples("kafka_consumer_lag", in: metrics)
            if Int(processed) == total && !lags.isEmpty && lags.allSatisfy({ $0 == 0 }) { break }
        } while ContinuousClock.now < deadline && run.process.isRunning
        // Keyless records may all go to one partition (librdkafka's sticky partitioner): a partition that never
        // had a record has no committed offset and no lag series.
        let partitions = Self.samples("kafka_consumer_lag", in: metrics).count
        #expect(partitions >= 1 && Self.samples("kafka_consumer_lag", in: metrics).allSatisfy { $0 == 0 },
                "not caught up:\n\(metrics)\n\(run.stderr.suffix(2000))")
        // A rejection has one name on both metrics: the DLQ's reason is the event's status (`validation_error`
        // for a schema failure, which the DLQ record's reason field calls `schema`), record for record.
        let dlq = Self.samples("weir_dlq_records_total", by: "reason", in: metrics)
        let statuses = Self.samples("kafka_events_processed_total", by: "status", in: metrics)
        #expect((dlq["validation_error"] ?? 0) > 0 && dlq["schema"] == nil, "\(dlq)")
        for (reason, count) in dlq where count > 0 {
            #expect(statuses[reason] == count, "weir_dlq_records_total{reason=\"\(reason)\"} \(count), status: \(statuses)")
        }
        // The topic stays quiet; the lag in seconds stays 0 across several telemetry ticks.
        for _ in 0..<4 {
            try await Task.sleep(for: .seconds(1.2))
            metrics = try await HTTP.get(base + "/metrics").body
            let seconds = Self.samples("kafka_consumer_lag_seconds", in: metrics)
            #expect(seconds.count == partitions && seconds.allSatisfy { $0 == 0 },
                    "kafka_consumer_lag_seconds \(seconds) on a caught-up, quiet topic")
        }
        // Event-time freshness is its own gauge: the newest committed event time, in October 2025.
        let eventTimes = Self.samples("weir_last_committed_event_timestamp_seconds", in: metrics)
        // (A partition whose committed records were all rejected or duplicates has no event time yet.)
        #expect((1...partitions).contains(eventTimes.count) && eventTimes.allSatisfy { (1_761_609_600...1_761_955_200).contains($0) },
                "\(eventTimes) for \(partitions) partitions:\n\(metrics)")
        run.kill(SIGTERM)
        #expect(await run.wait(timeout: .seconds(60)) == 0, "\(run.stderr.suffix(2000))")
    }

    @Test(.timeLimit(.minutes(5)))
    func readyzAnswers503WithoutWaitingForALockedStore() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        let lake = try RepoPaths.temporaryDirectory("readyz")
        defer { try? FileManager.default.removeItem(atPath: lake) }
        let (run, base, _) = try await Self.startCaughtUpRun(cluster, topic: "ready", lake: lake)
        defer { if run.process.isRunning { run.kill() } }  // failure paths: stop it for sure (SIGKILL)
        var ready = try await HTTP.get(base + "/readyz")
        let deadline = ContinuousClock.now + .seconds(60)
        while ready.status != 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            ready = try await HTTP.get(base + "/readyz")
        }
        #expect(ready.status == 200, "never ready: \(ready.body)\n\(run.stderr.suffix(2000))")

        // Another process holds an exclusive transaction on the store (in WAL mode: its write lock).
        let lock = try SQLiteDatabase(path: LakeLayout(root: lake).storePath, busyTimeoutMs: 5_000)
        try lock.execute("BEGIN EXCLUSIVE")
        try lock.execute("INSERT OR REPLACE INTO totals(name, value) VALUES ('lock_test', 1)")
        var answers: [(status: Int, seconds: Double)] = []
        let lockedAt = ContinuousClock.now
        while ContinuousClock.now - lockedAt < .seconds(60) {
            let started = ContinuousClock.now
            let r = try await HTTP.get(base + "/readyz")
            answers.append((r.status, (ContinuousClock.now - started).seconds))
            if r.status == 503 {
                #expect(r.body.contains("checkpoint store unreachable"), "\(r.body)")
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // The handler answers from state the run keeps, in milliseconds; a handler that asked the store would wait
        // for the lock, which this test holds until it sees a 503 or 60 s pass (29 s before the fix). The bounds
        // are safety nets for a starved machine (an HTTP round trip took 3.2 s at a load average of 20 on 2
        // cores), far below what a handler blocked on the lock would take.
        #expect(answers.allSatisfy { $0.seconds < 15 }, "a /readyz answer waited for the store: \(answers)")
        #expect(answers.last?.status == 503, "still ready with the store locked: \(answers)")
        #expect((ContinuousClock.now - lockedAt).seconds < 30, "503 came \((ContinuousClock.now - lockedAt).seconds) s after the lock")
        try lock.execute("ROLLBACK")
        withExtendedLifetime(lock) {}

        var again = try await HTTP.get(base + "/readyz")
        let back = ContinuousClock.now + .seconds(30)
        while again.status != 200 && ContinuousClock.now < back {
            try await Task.sleep(for: .milliseconds(200))
            again = try await HTTP.get(base + "/readyz")
        }
        #expect(again.status == 200, "not ready again after the lock was released: \(again.body)")
        run.kill(SIGTERM)
        #expect(await run.wait(timeout: .seconds(60)) == 0, "\(run.stderr.suffix(2000))")
    }
}

/// A GET with a 20 s timeout (the probe's own budget is checked by the caller).
enum HTTP {
    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 20
        let session = URLSession(configuration: config)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
