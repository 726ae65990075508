import Foundation
import WeirTestSupport
import Kafka
import Testing
@testable import WeirCLI

/// End-to-end tests of the day-two commands, running the built `weir` binary on small simulated lakes.
@Suite(.serialized) struct MaintenanceCommandTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var weir: String { repoRoot.appendingPathComponent(".build/debug/weir").path }
    static var schemaV1: String { repoRoot.appendingPathComponent("schemas/pi2_events.v1.yaml").path }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func tempDir() throws -> String {
        TestDirectories.make("maint-cli")
    }

    @discardableResult
    static func run(_ args: [String], cwd: String) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: weir)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var env = ProcessInfo.processInfo.environment
        for k in ["OUT_DIR", "SCHEMA_FILE", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC", "KAFKA_GROUP_ID"] { env[k] = nil }
        env["WEIR_LOG_LEVEL"] = "warning"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitForExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Rows of a DuckDB query over `lake` (the view of `LAKE/**/*.parquet`).
    static func query(_ lake: String, _ sql: String) throws -> [[JSONScalar]] {
        let p = Process()
        p.executableURL = repoRoot.appendingPathComponent(".venv/bin/python")
        p.arguments = ["-W", "ignore", repoRoot.appendingPathComponent("testdata/oracles/maint_lake_query.py").path, lake, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitForExit()
        return try JSONDecoder().decode([[JSONScalar]].self, from: data)
    }

    enum JSONScalar: Decodable, Equatable {
        case int(Int64), string(String), null
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let i = try? c.decode(Int64.self) { self = .int(i) } else { self = .string(try c.decode(String.self)) }
        }
        var int: Int64 { if case .int(let v) = self { return v }; return -1 }
    }

    static func simulate(_ lake: String, cwd: String, count: Int = 3000) throws {
        let r = try run(["simulate", "--count", String(count), "--out-dir", lake, "--listen", "off", "--flush-rows", "100",
                         "--schema", schemaV1], cwd: cwd)
        #expect(r.status == 0, "\(r.stderr)")
    }

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    @Test func checkpointStatsAndPrune() throws {
        let dir = try Self.tempDir()
        let lake = dir + "/lake"
        try Self.simulate(lake, cwd: dir, count: 1500)
        let stats = try Self.run(["checkpoint", "stats", "--out-dir", lake, "--format", "json"], cwd: dir)
        #expect(stats.status == 0, "\(stats.stderr)")
        let s = try Self.json(stats.stdout)
        let keys = s["keys"] as? Int ?? 0
        #expect(keys > 1000)
        #expect((s["oldestKeyAt"] as? String)?.hasSuffix("Z") == true)
        let offsets = s["offsets"] as? [[String: Any]] ?? []
        #expect(offsets.first?["topic"] as? String == "simulate" && offsets.first?["nextOffset"] as? Int == 1500)
        #expect((s["totals"] as? [String: Int])?["total"] == 1500)
        let text = try Self.run(["checkpoint", "stats", "--out-dir", lake], cwd: dir)
        #expect(text.stdout.contains("simulate[0] next 1500"))

        let kept = try Self.run(["checkpoint", "prune", "--out-dir", lake, "--ttl", "1h"], cwd: dir)
        #expect(kept.stdout.hasPrefix("pruned 0 keys"), "\(kept.stdout) \(kept.stderr)")
        Thread.sleep(forTimeInterval: 1.1)
        let pruned = try Self.run(["checkpoint", "prune", "--out-dir", lake, "--ttl", "0s", "--chunk", "100"], cwd: dir)
        #expect(pruned.stdout.hasPrefix("pruned \(keys) keys"), "\(pruned.stdout) \(pruned.stderr)")
        let after = try Self.json(try Self.run(["checkpoint", "stats", "--out-dir", lake, "--format", "json"], cwd: dir).stdout)
        #expect(after["keys"] as? Int == 0)
    }

    @Test func inspectAndCompactASimulatedLake() throws {
        let dir = try Self.tempDir()
        let lake = dir + "/lake"
        try Self.simulate(lake, cwd: dir)
        let before = try Self.query(lake, "select count(*), count(distinct event_id) from lake")
        let inspect = try Self.json(try Self.run(["inspect", lake, "--format", "json"], cwd: dir).stdout)
        #expect(inspect["kind"] as? String == "lake")
        #expect(Int64(inspect["totalRows"] as? Int ?? -1) == before[0][0].int)
        let files = inspect["files"] as? [[String: Any]] ?? []
        #expect(files.count > 10)
        let first = try #require(files.first?["path"] as? String)
        let single = try Self.json(try Self.run(["inspect", first, "--format", "json"], cwd: dir).stdout)
        let columns = (single["files"] as? [[String: Any]])?.first?["columns"] as? [[String: Any]] ?? []
        #expect(columns.contains { $0["name"] as? String == "event_id" && ($0["min"] as? String)?.hasPrefix("e") == true })
        #expect(columns.allSatisfy { ($0["codecs"] as? [String]) == ["zstd"] })
        let table = try Self.run(["inspect", first], cwd: dir)
        #expect(table.stdout.contains("event_id") && table.stdout.contains("ENCODINGS"))

        let compact = try Self.run(["compact", "--out-dir", lake, "--target-size", "1MiB", "--grace", "0s", "--format", "json"], cwd: dir)
        #expect(compact.status == 0, "\(compact.stderr)")
        let after = try Self.query(lake, "select count(*), count(distinct event_id) from lake")
        #expect(after == before)
        #expect(after[0][0] == after[0][1])
        let reinspect = try Self.json(try Self.run(["inspect", lake, "--format", "json"], cwd: dir).stdout)
        let partitions = Set(((reinspect["files"] as? [[String: Any]]) ?? []).compactMap { ($0["path"] as? String).map { ($0 as NSString).deletingLastPathComponent } })
        #expect((reinspect["files"] as? [[String: Any]])?.count == partitions.count, "one file per partition after compaction")
    }

    /// A bad `--date` is a usage error naming the flag and the fix; a partition with nothing to merge says so; a
    /// path that does not exist is a usage error naming it.
    @Test func compactAndInspectTellTheOperatorWhatIsWrong() throws {
        let dir = try Self.tempDir()
        let lake = dir + "/lake"
        try Self.simulate(lake, cwd: dir, count: 600)
        for bad in ["2025-13-01", "2025-02-30", "2025-10-3", "yesterday"] {
            let r = try Self.run(["compact", "--out-dir", lake, "--date", bad], cwd: dir)
            #expect(r.status == 2, "--date \(bad): \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("weir: ") && r.stderr.contains("--date") && r.stderr.contains("'\(bad)'") && r.stderr.contains("fix:"), "\(r.stderr)")
        }
        let merged = try Self.run(["compact", "--out-dir", lake, "--target-size", "1MiB", "--grace", "0s"], cwd: dir)
        #expect(merged.status == 0 && merged.stdout.contains(" merged into 1)"), "\(merged.stdout) \(merged.stderr)")
        let again = try Self.run(["compact", "--out-dir", lake, "--target-size", "1MiB", "--grace", "0s"], cwd: dir)
        #expect(again.status == 0, "\(again.stderr)")
        let lines = again.stdout.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.contains(": nothing to do (1 file, ") }, "\(again.stdout)")
        let none = try Self.run(["compact", "--out-dir", lake, "--date", "1999-01-01"], cwd: dir)
        #expect(none.status == 0 && none.stdout.contains("no partition date=1999-01-01"), "\(none.stdout) \(none.stderr)")

        let missing = dir + "/no-such-lake"
        let inspect = try Self.run(["inspect", missing], cwd: dir)
        #expect(inspect.status == 2, "\(inspect.status) \(inspect.stderr)")
        #expect(inspect.stderr.hasPrefix("weir: ") && inspect.stderr.contains(missing) && inspect.stderr.contains("fix:"), "\(inspect.stderr)")
    }

    @Test func dlqReplayLandsNewlyValidEventsExactlyOnce() async throws {
        let dir = try Self.tempDir()
        let lake = dir + "/lake"
        try Self.simulate(lake, cwd: dir)
        // v2 also allows accion "buy" (used by the generator's bad_accion events) and the generator's `x<n>` ids of
        // invalid events, so exactly the bad_accion=buy events become valid; the others still fail.
        let v2 = dir + "/pi2_events.v2.yaml"
        let v1Text = try String(contentsOfFile: Self.schemaV1, encoding: .utf8)
        let v2Text = v1Text.replacingOccurrences(of: "allowed: [click, view, purchase]", with: "allowed: [click, view, purchase, buy]")
            .replacingOccurrences(of: #"regex: '^e\d+$'"#, with: #"regex: '^[ex]\d+$'"#)
        #expect(v2Text.contains("buy]") && v2Text.contains("[ex]"))
        try v2Text.write(toFile: v2, atomically: true, encoding: .utf8)
        #expect(try Self.query(lake, "select count(*) from lake where accion = 'buy'")[0][0].int == 0)

        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("src", partitions: 1)
        let replay = ["dlq", "replay", "--out-dir", lake, "--from-dir", lake + "/_dlq", "--schema", v2,
                      "--bootstrap-servers", cluster.bootstrapServers, "--to-topic", "src"]
        let first = try Self.run(replay, cwd: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let replayed = Int(first.stdout.split(separator: "\n").first { $0.hasPrefix("replayed") }?.split(separator: " ").last ?? "") ?? -1
        #expect(replayed > 0, "\(first.stdout)")
        #expect(first.stdout.contains("schema"), "events still invalid under v2 stay in the DLQ: \(first.stdout)")

        let land = ["run", "--out-dir", lake, "--schema", v2, "--bootstrap-servers", cluster.bootstrapServers, "--topic", "src",
                    "--group-id", "weir-test", "--session-timeout", "6s", "--dlq-sink", "file", "--until-idle", "4", "--listen", "off"]
        let run1 = try Self.run(land, cwd: dir)
        #expect(run1.status == 0, "\(run1.stderr)")
        let buy = try Self.query(lake, "select count(*) from lake where accion = 'buy'")[0][0].int
        #expect(buy == Int64(replayed))
        let totals = try Self.query(lake, "select count(*), count(distinct event_id) from lake")
        #expect(totals[0][0] == totals[0][1])

        let second = try Self.run(replay, cwd: dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("replayed  0"), "\(second.stdout)")
        #expect(second.stdout.contains("skipped   \(replayed) "), "\(second.stdout)")
        let run2 = try Self.run(land, cwd: dir)
        #expect(run2.status == 0, "\(run2.stderr)")
        #expect(try Self.query(lake, "select count(*), count(distinct event_id) from lake") == totals)
    }

    @Test func dlqReplayFromATopicCommitsItsGroupAndKeepsKeys() async throws {
        let dir = try Self.tempDir()
        let lake = dir + "/lake"
        try Self.simulate(lake, cwd: dir, count: 1500)
        let v2 = dir + "/pi2_events.v2.yaml"
        try String(contentsOfFile: Self.schemaV1, encoding: .utf8)
            .replacingOccurrences(of: "allowed: [click, view, purchase]", with: "allowed: [click, view, purchase, buy]")
            .replacingOccurrences(of: #"regex: '^e\d+$'"#, with: #"regex: '^[ex]\d+$'"#)
            .write(toFile: v2, atomically: true, encoding: .utf8)
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        defer { cluster.shutdown() }
        try cluster.createTopic("src", partitions: 1)
        try cluster.createTopic("src_dlq", partitions: 2)
        // The file DLQ's envelopes, produced to a DLQ topic as the Kafka sink would (key = original key).
        var envelopes: [[UInt8]] = []
        for name in (FileManager.default.enumerator(atPath: lake + "/_dlq")?.allObjects as? [String] ?? []) where name.hasSuffix(".jsonl") {
            let data = try Data(contentsOf: URL(fileURLWithPath: lake + "/_dlq/" + name))
            envelopes += data.split(separator: UInt8(ascii: "\n")).map { Array($0) }
        }
        let expected = envelopes.filter { String(decoding: $0, as: UTF8.self).contains(#"\"accion\": \"buy\""#) }.count
        #expect(expected > 0)
        let producer = try KafkaProducer(config: KafkaProducerConfig(bootstrapServers: cluster.bootstrapServers, extra: ["log_level": "3"]))
        _ = try await producer.sendAll(envelopes.enumerated().map {
            KafkaOutgoingMessage(topic: "src_dlq", key: Array("k\($0.offset)".utf8), value: $0.element)
        })
        let replay = ["dlq", "replay", "--out-dir", lake, "--from-topic", "src_dlq", "--schema", v2,
                      "--bootstrap-servers", cluster.bootstrapServers, "--to-topic", "src"]
        let first = try Self.run(replay, cwd: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("read      \(envelopes.count)") && first.stdout.contains("replayed  \(expected)"), "\(first.stdout)")
        let tp = TopicPartition(topic: "src", partition: 0)
        #expect(try await producer.watermarks(tp, timeout: .seconds(10)).high == Int64(expected))
        let second = try Self.run(replay, cwd: dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("read      0") && second.stdout.contains("replayed  0"), "\(second.stdout)")
        #expect(try await producer.watermarks(tp, timeout: .seconds(10)).high == Int64(expected))
        // Keys travel with the replayed events.
        let consumer = try KafkaConsumer(config: KafkaConsumerConfig(bootstrapServers: cluster.bootstrapServers, groupId: "check",
                                                                     extra: ["log_level": "3"]))
        try await consumer.assign([tp: 0])
        var got: [KafkaRecord] = []
        let end = ContinuousClock.now + .seconds(20)
        while got.count < expected && ContinuousClock.now < end { got += try await consumer.poll(maxRecords: 1000, timeout: .milliseconds(300)) }
        #expect(got.count == expected && got.allSatisfy { String(decoding: $0.key ?? [], as: UTF8.self).hasPrefix("k") })
        await consumer.close()
        await producer.close()
    }
}
