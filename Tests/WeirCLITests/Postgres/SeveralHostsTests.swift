import Foundation
import Kafka
@testable import Pipeline
import PostgresTestSupport
import SeededRandom
import Testing
@testable import WeirCLI

/// Weir across several hosts (issue 19, "Proof"): three `weir run` instances, each on a test host of its own (a
/// network namespace, `TestHosts`), one consumer group, one PostgreSQL store and one lake. 300,000 generated events
/// (10% invalid, 5% duplicates) arrive in three waves while instances are SIGKILLed at random moments at least 10
/// times and restarted, and one host's link is cut for longer than the session timeout and restored (the zombie:
/// the group gives its partitions to the others, and whatever it commits afterwards must be refused or harmless).
/// At the end DuckDB finds every valid unique event exactly once, the DLQ topic holds every invalid event once,
/// and every file the store's manifest lists is in the lake (and no data file is outside it).
@Suite(.serialized) struct SeveralHostsTests {
    static let topic = "hosts"
    static let partitions = 12
    /// As the crash tests: the mock coordinator needs 4–6 s (docs/KAFKA.md).
    static let sessionTimeoutSeconds = 4

    /// The test hosts themselves: each has its address, reaches a loopback service of the root namespace through
    /// its link, loses it while the link is cut and gets it back when the link is restored; removing the hosts
    /// deletes every namespace and link, and objects a dead test process left behind are deleted when hosts are made.
    @Test(.timeLimit(.minutes(3)))
    func testHostsReachServicesOverLinksThatCanBeCut() async throws {
        if let reason = TestHosts.unavailableReason {
            Issue.record("cannot test the test hosts: \(reason)")
            return
        }
        // Leftovers of a test process that no longer runs (a child that exited: its PID is free).
        let dead = try ChildProcess("/bin/true", [])
        await dead.wait()
        let stalePID = dead.process.processIdentifier
        try IPCommand.run(["netns", "add", "weir-test-\(stalePID)-0"])
        try IPCommand.run(["link", "add", "wt\(stalePID)br", "type", "bridge"])

        let hosts = try TestHosts(count: 2)
        defer { hosts.remove() }
        #expect(!(try IPCommand.run(["netns", "list"])).contains("weir-test-\(stalePID)-"), "a dead process's namespace was kept")
        #expect(!(try IPCommand.run(["-o", "link", "show"])).contains("wt\(stalePID)br"), "a dead process's bridge was kept")
        for host in hosts.hosts {
            #expect(try IPCommand.run(["-n", host.namespace, "-4", "-o", "addr", "show", "dev", "eth0"]).contains(host.address + "/24"))
        }

        let port = PostgresServer.freePort()
        let service = try ChildProcess(RepoPaths.python, ["-c", """
            import socket, sys
            s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); print("ready", flush=True)
            while True:
                c, _ = s.accept(); c.sendall(b"pong"); c.close()
            """, String(port)])
        defer { service.kill() }
        _ = try await service.firstLine("the loopback service")
        try hosts.forwardLoopback(ports: [port])
        /// What host `index` reads from 127.0.0.1:port within 3 s (the error text when it cannot).
        func reach(_ index: Int) async throws -> String {
            let (executable, arguments) = hosts.command(on: index, RepoPaths.python, ["-c", """
                import socket, sys
                try:
                    print(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3).recv(16).decode())
                except OSError as e:
                    print("failed:", e)
                """, String(port)])
            let (_, out, err) = try await ChildProcess.run(executable, arguments, timeout: .seconds(60))
            return (out + err).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await reach(0) == "pong")
        #expect(try await reach(1) == "pong")
        try hosts.cut(0)
        let whileCut = try await reach(0)
        // Cut off, the host either cannot connect ("failed: …") or its in-namespace relay accepts and then closes the
        // connection without a byte, because the relay's own upstream connection over the link fails (""): in both
        // cases no byte of the service reached it.
        #expect(whileCut.hasPrefix("failed") || whileCut.isEmpty, "host 0 reached the service with its link cut: \(whileCut)")
        #expect(try await reach(1) == "pong", "cutting host 0 cut host 1 off too")
        try hosts.restore(0)
        var afterRestore = ""
        for _ in 0..<10 where afterRestore != "pong" { afterRestore = try await reach(0) }
        #expect(afterRestore == "pong", "host 0 did not reach the service after its link came back: \(afterRestore)")

        hosts.remove()
        let pid = getpid()
        #expect(!(try IPCommand.run(["netns", "list"])).contains("weir-test-\(pid)-"), "namespaces left after remove()")
        let links = try IPCommand.run(["-o", "link", "show"])
        #expect(!links.contains(": wt\(pid)br:") && !links.contains(": wt\(pid)h"), "links left after remove()")
    }

    @Test(.timeLimit(.minutes(15)))
    func threeHostsLandEveryEventOnceThroughKillsAndACutLink() async throws {
        if let reason = TestHosts.unavailableReason {
            Issue.record("cannot run the multi-host proof: \(reason)")
            return
        }
        let began = ContinuousClock.now
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var random = SplitMix64(seed: seed)
        let hosts = try TestHosts(count: 3)
        defer { hosts.remove() }
        let server = try PostgresServer(listenAddresses: [hosts.serviceAddress], clientNetworks: [hosts.subnet])
        defer { server.stop() }
        let database = PostgresRunSupport.database(of: try server.makeDatabase("hosts"))
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        defer { cluster.shutdown() }
        try hosts.forwardLoopback(ports: Self.ports(of: cluster.bootstrapServers))
        try cluster.createTopic(Self.topic, partitions: Self.partitions)
        try cluster.createTopic(Self.topic + "_dlq", partitions: 2)

        let dir = try RepoPaths.temporaryDirectory("hosts")
        defer { RepoPaths.remove(dir) }
        let lake = SharedLake(directory: dir + "/lake")
        let instances = try HostInstances(hosts: hosts, arguments: [
            "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", Self.topic, "--group-id", Self.topic,
            "--out-dir", lake.location, "--listen", "off", "--session-timeout", "\(Self.sessionTimeoutSeconds)s",
            "--flush-rows", "4000", "--flush-interval", "1s", "--log-format", "json",
        ], environment: ["WEIR_CHECKPOINT_URL": server.url(database: database, host: hosts.serviceAddress)], directory: dir)
        defer { _ = instances.current.map { $0?.kill() } }
        var context: String { "seed \(seed)\n\(instances.outputs())\n--- PostgreSQL log:\n\(server.serverLog().suffix(2000))" }
        for host in 0..<3 { try instances.start(host) }

        var generator = Pi2EventGenerator(seed: 19, invalidRatio: 0.10, duplicateRatio: 0.05)
        var kills = 0
        /// SIGKILLs a random instance (not on `spare`) after a random 2–6 s, and starts it again, `count` times.
        func killAtRandom(_ count: Int, sparing spare: Int? = nil) async throws {
            for _ in 0..<count {
                try await Task.sleep(for: .milliseconds(Int64.random(in: 2_000...6_000, using: &random)))
                let host = (0..<3).filter { $0 != spare }.randomElement(using: &random)!
                if await instances.kill(host) { kills += 1 }
                try instances.start(host)
            }
        }

        // Wave 1, then kills.
        try await PostgresRunSupport.produce(cluster, topic: Self.topic, count: 100_000, generator: &generator)
        try await killAtRandom(5)

        // Wave 2, then the zombie: a host that holds partitions is cut off inside a commit, after its server
        // session took the dedup lock every commit takes (the test holds that lock until the host waits for it,
        // then cuts the link and lets go). The other two must take its partitions over and commit while it is
        // away; it comes back after at least three session timeouts and must give its partitions up.
        try await PostgresRunSupport.produce(cluster, topic: Self.topic, count: 100_000, generator: &generator)
        let zombie = Int.random(in: 0..<3, using: &random)
        let others = [0, 1, 2].filter { $0 != zombie }
        let zombieAddress = hosts.hosts[zombie].address
        let working = await waitFor(.seconds(180)) {
            let log = instances.stderr(zombie)
            return !GroupAssignment.held(in: log, topic: Self.topic).isEmpty && log.contains("\"committed\"")
        }
        #expect(working, "host \(zombie) never held partitions and committed:\n\(context)")
        let locker = try ChildProcess(PostgresServer.binaries + "/psql", [
            "-h", "127.0.0.1", "-p", String(server.port), "-U", server.user, "-d", database, "-c",
            "BEGIN; SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.dedupKeys.sql)); SELECT pg_sleep(600); COMMIT;"],
            environment: ["PGPASSWORD": server.password, "PGAPPNAME": "weir-test-lock"])
        defer { locker.kill() }
        func activity(_ condition: String) -> Int {
            Int((try? server.psql("SELECT count(*) FROM pg_stat_activity WHERE \(condition)", database: database)) ?? "") ?? 0
        }
        let waits = await waitFor(.seconds(180)) { activity("client_addr = '\(zombieAddress)' AND wait_event_type = 'Lock'") > 0 }
        #expect(waits, "host \(zombie)'s commit never waited for the dedup lock:\n\(context)")
        let beforeCut = instances.stderr(zombie).utf8.count
        try hosts.cut(zombie)
        let cutAt = ContinuousClock.now
        _ = try server.psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'weir-test-lock'", database: database)
        let totalAtCut = PostgresRunSupport.committedTotal(server, database: database)
        let holdsLock = await waitFor(.seconds(30)) { activity("client_addr = '\(zombieAddress)' AND state = 'idle in transaction'") > 0 }
        #expect(holdsLock, "host \(zombie)'s session never sat in its transaction after the cut: the test proves less than it says")
        let takenOver = await waitFor(.seconds(180)) {
            others.reduce(into: Set<Int32>()) { $0.formUnion(GroupAssignment.held(in: instances.stderr($1), topic: Self.topic)) }.count == Self.partitions
                && PostgresRunSupport.committedTotal(server, database: database) > totalAtCut
        }
        let idleInTransaction = activity("state = 'idle in transaction'")
        #expect(takenOver, """
            the other hosts did not take all partitions over and commit while host \(zombie) was cut off \
            (\(idleInTransaction) sessions idle in a transaction):\n\(context)
            """)
        let minimumCut = Duration.seconds(3 * Self.sessionTimeoutSeconds)
        if ContinuousClock.now - cutAt < minimumCut { try await Task.sleep(for: minimumCut - (ContinuousClock.now - cutAt)) }
        try hosts.restore(zombie)
        let cutFor = ContinuousClock.now - cutAt
        let lostPartitions = await waitFor(.seconds(180)) {
            instances.stderr(zombie).utf8.dropFirst(beforeCut).split(separator: UInt8(ascii: "\n")).contains {
                String(decoding: $0, as: UTF8.self).contains("revoked ")
            }
        }
        #expect(lostPartitions, "host \(zombie) never gave its partitions up after its link came back:\n\(context)")

        // Wave 3, then kills until there were at least 10.
        try await PostgresRunSupport.produce(cluster, topic: Self.topic, count: 100_000, generator: &generator)
        try await killAtRandom(max(5, 10 - kills))
        while kills < 10 { try await killAtRandom(1) }

        let expected = generator.expected
        let caughtUp = await waitFor(.seconds(400)) { PostgresRunSupport.committedTotal(server, database: database) >= expected.lines }
        #expect(caughtUp, "not caught up: \(PostgresRunSupport.committedTotal(server, database: database)) of \(expected.lines) committed\n\(context)")
        let statuses = await instances.stopAll()
        #expect(statuses == [0, 0, 0], "exit statuses \(statuses)\n\(context)")
        let zombieLog = instances.stderr(zombie)
        let refusedAfterCut = zombieLog.utf8.count > beforeCut
            ? zombieLog.utf8.dropFirst(beforeCut).split(separator: UInt8(ascii: "\n")).filter { String(decoding: $0, as: UTF8.self).contains("commit refused") }.count : 0

        // The oracles: the lake (DuckDB and pyarrow), the DLQ topic, the store's counters and its manifest.
        let stats = try await lake.stats()
        #expect(stats.unreadable.isEmpty, "unreadable files: \(stats.unreadable)")
        #expect(stats.rows == expected.validUnique && stats.distinct == expected.validUnique,
                "\(stats.rows) rows, \(stats.distinct) distinct, expected \(expected.validUnique)\n\(context)")
        #expect(stats.sum == expected.sumMonto)
        #expect(stats.per_date == expected.perDate)
        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: Self.topic + "_dlq")
        #expect(dlq.count == expected.invalid, "the DLQ holds \(dlq.count), expected \(expected.invalid)")
        #expect(Set(dlq).count == dlq.count, "the DLQ holds \(dlq.count - Set(dlq).count) records twice")
        #expect(PostgresRunSupport.committedTotal(server, database: database) == expected.lines, "records committed twice")
        #expect(try server.psql("SELECT sum(next_offset) FROM offsets", database: database) == String(expected.lines))
        #expect(try server.psql("SELECT count(*) FROM files WHERE state <> 'published'", database: database) == "0")
        let manifest = Set(try server.psql("SELECT final_path FROM files", database: database).split(separator: "\n").map { lake.name(ofManifestPath: String($0)) })
        let files = lake.dataFiles()
        #expect(!manifest.isEmpty && manifest.subtracting(files).isEmpty, "committed files missing from the lake: \(manifest.subtracting(files).sorted().prefix(10))")
        #expect(files.subtracting(manifest).isEmpty, "data files the store does not list: \(files.subtracting(manifest).sorted().prefix(10))")
        #expect(try server.psql("SELECT count(DISTINCT owner) FROM commits", database: database) != "1", "only one instance committed")
        print("several hosts: \(expected.lines) events, \(kills) kills, host \(zombie) cut off for \(cutFor), "
              + "\(refusedAfterCut) of its commits refused after the cut, \(manifest.count) files, \(ContinuousClock.now - began) in all (seed \(seed))")
    }

    /// The ports of a bootstrap string (`host:port,…`).
    static func ports(of bootstrap: String) -> [Int] {
        bootstrap.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { Int($0) } }
    }
}
