import Foundation
import Kafka
import ObjectStoreTestSupport
@testable import Pipeline
import PostgresTestSupport
import SeededRandom
import Testing
@testable import WeirCLI

/// Weir across several hosts (issue 19, "Proof"): three `weir run` instances, each on a test host of its own (a
/// network namespace, `TestHosts`), one consumer group, one PostgreSQL store and one lake (a directory they share, or
/// an `s3://` bucket each reaches over its own link: `SharedLake`). 300,000 generated events
/// (10% invalid, 5% duplicates) arrive in three waves while instances are SIGKILLed at random moments at least 10
/// times and restarted, and one host's link is cut for longer than the session timeout and restored (the zombie:
/// the group gives its partitions to the others, and whatever it commits afterwards must be refused or harmless).
/// At the end DuckDB finds every valid unique event exactly once, the DLQ topic holds every invalid event once,
/// and every file the store's manifest lists is in the lake (and no data file is outside it).
@Suite(.serialized) struct SeveralHostsTests {
    static let topic = "hosts"
    static let partitions = 12
    /// The waves go round robin over every partition: the producer's sticky partitioning of keyless records can
    /// put most of a quickly produced wave into one partition, past the embedded broker's cap of about 5 MiB a
    /// partition (docs/KAFKA.md; it then drops the oldest, and the test stops on "the embedded broker dropped data":
    /// 103,616 records in one of the 12 partitions in one run, where round robin puts about 28,000).
    static let everyPartition = (0..<Int32(partitions)).map { $0 }
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
        let pong = try ChildProcess(RepoPaths.python, ["-c", """
            import socket, sys
            s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); print("ready", flush=True)
            while True:
                c, _ = s.accept(); c.sendall(b"pong"); c.close()
            """, String(port)])
        defer { pong.kill() }
        _ = try await pong.firstLine("the loopback service")
        try hosts.forwardLoopback(ports: [port])
        let service = ServiceProbe.speaking("the loopback service", port: port)
        #expect(try await service.probe(from: 0, of: hosts).detail == "answered pong")
        #expect(try await service.probe(from: 1, of: hosts).detail == "answered pong")
        try hosts.cut(0)
        let whileCut = try await service.probe(from: 0, of: hosts)
        #expect(!whileCut.answered, "host 0 reached the service with its link cut: \(whileCut.detail)")
        #expect(try await service.probe(from: 1, of: hosts).detail == "answered pong", "cutting host 0 cut host 1 off too")
        try hosts.restore(0)
        var afterRestore = ""
        for _ in 0..<10 where afterRestore != "answered pong" { afterRestore = try await service.probe(from: 0, of: hosts).detail }
        #expect(afterRestore == "answered pong", "host 0 did not reach the service after its link came back: \(afterRestore)")

        hosts.remove()
        let pid = getpid()
        #expect(!(try IPCommand.run(["netns", "list"])).contains("weir-test-\(pid)-"), "namespaces left after remove()")
        let links = try IPCommand.run(["-o", "link", "show"])
        #expect(!links.contains(": wt\(pid)br:") && !links.contains(": wt\(pid)h"), "links left after remove()")
    }

    /// The proof with the lake in a directory all hosts share.
    @Test(.timeLimit(.minutes(15)))
    func threeHostsLandEveryEventOnceThroughKillsAndACutLink() async throws {
        try await prove(lakeKind: .directory)
    }

    /// The proof with the lake in an `s3://` bucket (SeaweedFS on the root namespace's loopback, reached by each host
    /// over its own link): the hosts share no file system, each instance has its own working directory and TMPDIR.
    /// The cut host loses the brokers, PostgreSQL and the bucket. Its lease (`lake.s3.lease_ttl`, `leaseTTL`) expires
    /// while it is away, and an instance started meanwhile fences it in the store: when it comes back, its commits
    /// are refused and it exits (`StagingLeaseLost`), to be started again as a service manager would.
    @Test(.timeLimit(.minutes(20)))
    func threeHostsLandEveryEventOnceInAnS3BucketThroughKillsAndACutLink() async throws {
        try await prove(lakeKind: .s3)
    }

    /// `lake.s3.lease_ttl` of the S3 proof: shorter than the cut (at least three session timeouts, 12 s), so the
    /// zombie's lease has expired before it comes back and the fence is what refuses it; three renewals (every
    /// 1.7 s) plus the 2 s grace and 1 s of `Last-Modified` rounding, 8 s without a renewal, before a loaded live
    /// instance could be taken over; and short, because a restart after a SIGKILL inside a commit waits for the
    /// dead instance's lease to expire before it publishes that commit's files (at most 8 s per such kill).
    static let leaseTTL = Duration.seconds(5)

    private func prove(lakeKind: SharedLake.Kind) async throws {
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
        try cluster.createTopic(Self.topic, partitions: Self.partitions)
        try cluster.createTopic(Self.topic + "_dlq", partitions: 2)

        let dir = try RepoPaths.temporaryDirectory("hosts")
        defer { RepoPaths.remove(dir) }
        let objectStore: SeaweedServer? = try lakeKind == .s3 ? SeaweedServer.start() : nil
        defer { objectStore?.stop() }
        let lake = objectStore.map { SharedLake(server: $0, prefix: Self.topic, leaseTTL: Self.leaseTTL) } ?? SharedLake(directory: dir + "/lake")
        let brokerPorts = Self.ports(of: cluster.bootstrapServers)
        try hosts.forwardLoopback(ports: brokerPorts + lake.forwardedPorts)
        let instances = try HostInstances(hosts: hosts, arguments: [
            "run", "--bootstrap-servers", cluster.bootstrapServers, "--topic", Self.topic, "--group-id", Self.topic,
            "--listen", "off", "--session-timeout", "\(Self.sessionTimeoutSeconds)s",
            "--flush-rows", "4000", "--flush-interval", "1s", "--log-format", "json",
        ] + lake.arguments, environment: lake.environment.merging(
            ["WEIR_CHECKPOINT_URL": server.url(database: database, host: hosts.serviceAddress)]) { $1 },
            files: lake.hostFiles, directory: dir)
        defer { _ = instances.current.map { $0?.kill() } }
        var context: String {
            "seed \(seed)\n\(instances.outputs())\n--- PostgreSQL log:\n\(server.serverLog().suffix(2000))"
                + (objectStore.map { "\n--- SeaweedFS log:\n\($0.log.suffix(1500))" } ?? "")
        }
        for host in 0..<3 { try instances.start(host) }
        // A service manager: an instance fenced by another's recovery exits 1 and is started again.
        let supervisor = Task {
            while !Task.isCancelled {
                _ = try? instances.restartFenced()
                try? await Task.sleep(for: .milliseconds(300))
            }
        }
        defer { supervisor.cancel() }

        var generator = Pi2EventGenerator(seed: 19, invalidRatio: 0.10, duplicateRatio: 0.05)
        var kills = 0
        /// SIGKILLs a random instance of `among` after a random 2–6 s (`pause`), and starts it again, `count` times.
        func killAtRandom(_ count: Int, among candidates: [Int] = [0, 1, 2], pause: ClosedRange<Int64> = 2_000...6_000) async throws {
            for _ in 0..<count {
                try await Task.sleep(for: .milliseconds(Int64.random(in: pause, using: &random)))
                let host = candidates.randomElement(using: &random)!
                if await instances.kill(host) { kills += 1 }
                try instances.start(host)
            }
        }

        // Wave 1, then kills.
        try await PostgresRunSupport.produce(cluster, topic: Self.topic, count: 100_000, generator: &generator,
            partitions: Self.everyPartition)
        try await killAtRandom(5)

        // Wave 2, then the zombie: a host that holds partitions is cut off inside a commit, after its server
        // session took the dedup lock every commit takes (the test holds that lock, produces the rest of the wave
        // into the host's partitions so that it has a commit to make, waits until that commit waits for the
        // lock, then cuts the link and lets go). The other two must take its partitions over and commit while it
        // is away; it comes back after at least three session timeouts and must give its partitions up.
        try await PostgresRunSupport.produce(cluster, topic: Self.topic, count: 80_000, generator: &generator,
            partitions: Self.everyPartition)
        let zombie = Int.random(in: 0..<3, using: &random)
        let others = [0, 1, 2].filter { $0 != zombie }
        let zombieAddress = hosts.hosts[zombie].address
        let working = await waitFor(.seconds(180)) {
            let log = instances.stderr(zombie)
            return !GroupAssignment.held(in: log, topic: Self.topic).isEmpty && log.contains("\"committed\"")
        }
        #expect(working, "host \(zombie) never held partitions and committed:\n\(context)")
        let zombieProcess = try #require(instances.current[zombie])
        // The services the cut must take away: every broker, PostgreSQL and the bucket. The host reaches them now.
        let services = brokerPorts.map { ServiceProbe.kafka(port: $0) } + [ServiceProbe.postgres(address: hosts.serviceAddress, port: server.port)]
            + lake.forwardedPorts.map { ServiceProbe.http("the bucket's S3 endpoint", port: $0) }
        let unreachedBefore = try await ServiceProbe.mismatches(services, from: zombie, of: hosts, answered: true)
        #expect(unreachedBefore.isEmpty, "host \(zombie) does not reach its services before the cut: \(unreachedBefore)")
        let zombieInstance = try lake.stagingInstance(ofProcess: zombieProcess.process.processIdentifier)
        if lakeKind == .s3 { #expect(zombieInstance != nil, "no lease object names host \(zombie)'s process:\n\(context)") }
        let locker = try ChildProcess(PostgresServer.binaries + "/psql", [
            "-h", "127.0.0.1", "-p", String(server.port), "-U", server.user, "-d", database, "-c",
            "BEGIN; SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.dedupKeys.sql)); SELECT pg_sleep(600); COMMIT;"],
            environment: ["PGPASSWORD": server.password, "PGAPPNAME": "weir-test-lock"])
        defer { locker.kill() }
        func activity(_ condition: String) -> Int {
            Int((try? server.psql("SELECT count(*) FROM pg_stat_activity WHERE \(condition)", database: database)) ?? "") ?? 0
        }
        let locked = await waitFor(.seconds(60)) {
            (try? server.psql("""
                SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'weir-test-lock'
                """, database: database)) == "1"
        }
        #expect(locked, "the test never took the dedup lock: \(locker.stderr)")
        // Records for the host's partitions, read and committed while the lock is held: its commit must wait.
        let zombieHeld = GroupAssignment.held(in: instances.stderr(zombie), topic: Self.topic).sorted()
        try await PostgresRunSupport.produce(cluster, topic: Self.topic, count: 20_000, generator: &generator, partitions: zombieHeld)
        let waits = await waitFor(.seconds(180)) { activity("client_addr = '\(zombieAddress)' AND wait_event_type = 'Lock'") > 0 }
        #expect(waits, "host \(zombie)'s commit never waited for the dedup lock:\n\(context)")
        let beforeCut = zombieProcess.stderr.utf8.count
        try hosts.cut(zombie)
        let cutAt = ContinuousClock.now
        let cutWallClock = Date()
        _ = try server.psql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'weir-test-lock'", database: database)
        let totalAtCut = PostgresRunSupport.committedTotal(server, database: database)
        let holdsLock = await waitFor(.seconds(30)) { activity("client_addr = '\(zombieAddress)' AND state = 'idle in transaction'") > 0 }
        #expect(holdsLock, "host \(zombie)'s session never sat in its transaction after the cut: the test proves less than it says")
        /// The commits the store holds of the zombie's staging instance (S3: its fence pointer names it).
        func zombieCommits() throws -> String {
            try server.psql("SELECT count(*) FROM commits WHERE owner = '\(zombieInstance ?? "")'", database: database)
        }
        let zombieCommitsAtCut = try zombieCommits()
        let reachedWhileCut = try await ServiceProbe.mismatches(services, from: zombie, of: hosts, answered: false)
        #expect(reachedWhileCut.isEmpty, "host \(zombie) still reaches services with its link cut: \(reachedWhileCut)")
        let lostByOthers = try await ServiceProbe.mismatches(services, from: others[0], of: hosts, answered: true)
        #expect(lostByOthers.isEmpty, "cutting host \(zombie) cut host \(others[0]) off too: \(lostByOthers)")
        let takenOver = await waitFor(.seconds(180)) {
            others.reduce(into: Set<Int32>()) { $0.formUnion(GroupAssignment.held(in: instances.stderr($1), topic: Self.topic)) }.count == Self.partitions
                && PostgresRunSupport.committedTotal(server, database: database) > totalAtCut
        }
        let idleInTransaction = activity("state = 'idle in transaction'")
        #expect(takenOver, """
            the other hosts did not take all partitions over and commit while host \(zombie) was cut off \
            (\(idleInTransaction) sessions idle in a transaction):\n\(context)
            """)
        if lakeKind == .s3, let zombieInstance {
            // Its lease has expired (no renewal since the cut: TTL, 2 s grace, 1 s rounding): an instance started now
            // takes it over in its recovery and fences the zombie in the store.
            let expired = cutAt + Self.leaseTTL + .seconds(4)
            if ContinuousClock.now < expired { try await Task.sleep(for: expired - ContinuousClock.now) }
            try await killAtRandom(1, among: others, pause: 0...0)
            let fenced = await waitFor(.seconds(120)) {
                (try? server.psql("SELECT location FROM table_pointers WHERE table_name = '_weir.staging.\(zombieInstance)'",
                                  database: database)) == "fenced"
            }
            #expect(fenced, "no recovery fenced host \(zombie)'s instance \(zombieInstance) while it was cut off:\n\(context)")
        }
        let minimumCut = Duration.seconds(3 * Self.sessionTimeoutSeconds)
        if ContinuousClock.now - cutAt < minimumCut { try await Task.sleep(for: minimumCut - (ContinuousClock.now - cutAt)) }
        try hosts.restore(zombie)
        let cutFor = ContinuousClock.now - cutAt
        /// The zombie's log lines since the cut.
        func zombieLines() -> [String] {
            zombieProcess.stderr.utf8.dropFirst(beforeCut).split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        }
        // It gives its partitions up (a fenced one by exiting: nothing it holds can commit any more). A host whose
        // partitions were already revoked when the link went (a rebalance was under way) has nothing to give up:
        // it must rejoin the group and be assigned partitions afresh.
        let heldAtCut = GroupAssignment.held(in: Substring(String(decoding: zombieProcess.stderr.utf8.prefix(beforeCut), as: UTF8.self)),
                                             topic: Self.topic)
        let lostPartitions = await waitFor(.seconds(180)) {
            zombieLines().contains { line in
                heldAtCut.isEmpty ? line.contains("assigned ") : line.contains("revoked ") || line.contains(HostInstances.fencedMarker)
            }
        }
        #expect(lostPartitions, "host \(zombie) never gave its partitions up after its link came back:\n\(context)")

        // Wave 3, then kills until there were at least 10.
        try await PostgresRunSupport.produce(cluster, topic: Self.topic, count: 100_000, generator: &generator,
            partitions: Self.everyPartition)
        try await killAtRandom(max(5, 10 - kills))
        while kills < 10 { try await killAtRandom(1) }

        let expected = generator.expected
        let caughtUp = await waitFor(.seconds(400)) { PostgresRunSupport.committedTotal(server, database: database) >= expected.lines }
        #expect(caughtUp, "not caught up: \(PostgresRunSupport.committedTotal(server, database: database)) of \(expected.lines) committed\n\(context)")
        supervisor.cancel()
        _ = await supervisor.value
        try instances.restartFenced()
        // A host started just now handles SIGTERM only once it runs its service (after startup): wait until each
        // has joined the group, or the stop would kill it by the signal instead of stopping it.
        for host in 0..<3 {
            _ = await waitFor(.seconds(120)) {
                instances.stderr(host).contains("assigned ") || !(instances.current[host]?.process.isRunning ?? false)
            }
        }
        let statuses = await instances.stopAll()
        #expect(statuses == [0, 0, 0], "exit statuses \(statuses)\n\(context)")
        if zombieInstance != nil {
            #expect(try zombieCommits() == zombieCommitsAtCut, "host \(zombie)'s fenced instance committed after the cut")
        }
        let refusedAfterCut = zombieLines().filter { $0.contains("commit refused") }.count
        let zombieFenced = zombieLines().contains { $0.contains(HostInstances.fencedMarker) }

        // The oracles: the lake (DuckDB and pyarrow; DuckDB's httpfs for a bucket), the DLQ topic, the store's
        // counters and its manifest.
        let stats = try await lake.stats()
        #expect(stats.unreadable.isEmpty, "unreadable files: \(stats.unreadable)")
        #expect(stats.rows == expected.validUnique && stats.distinct == expected.validUnique,
                "\(stats.rows) rows, \(stats.distinct) distinct, expected \(expected.validUnique)\n\(context)")
        #expect(stats.sum == expected.sumMonto)
        #expect(stats.per_date == expected.perDate)
        if lakeKind == .s3 {
            #expect(stats.duckdb == LakeStats.Counts(files: stats.files, rows: expected.validUnique, distinct: expected.validUnique,
                                                     sum: expected.sumMonto, per_date: expected.perDate), "DuckDB httpfs: \(String(describing: stats.duckdb))")
        }
        let dlq = try await DeadLetterTopic.read(bootstrap: cluster.bootstrapServers, topic: Self.topic + "_dlq")
        #expect(dlq.count == expected.invalid, "the DLQ holds \(dlq.count), expected \(expected.invalid)")
        let twice = Set(Dictionary(grouping: dlq, by: { $0 }).filter { $0.value.count > 1 }.keys)
        if !twice.isEmpty {
            let copies = try await Self.dlqCopies(of: twice, bootstrap: cluster.bootstrapServers, cutAt: cutWallClock)
            let message = "the DLQ holds \(twice.count) records twice (host \(zombie) was cut off for \(cutFor)); "
                + "source partition/offset: DLQ partition/offset at seconds after the cut:\n\(copies)\n\(context)"
            Issue.record("\(message)")
        }
        #expect(PostgresRunSupport.committedTotal(server, database: database) == expected.lines, "records committed twice")
        #expect(try server.psql("SELECT sum(next_offset) FROM offsets", database: database) == String(expected.lines))
        #expect(try server.psql("SELECT count(*) FROM files WHERE state <> 'published'", database: database) == "0")
        let manifest = Set(try server.psql("SELECT final_path FROM files", database: database).split(separator: "\n").map { lake.name(ofManifestPath: String($0)) })
        let files = try lake.dataFiles()
        #expect(!manifest.isEmpty && manifest.subtracting(files).isEmpty, "committed files missing from the lake: \(manifest.subtracting(files).sorted().prefix(10))")
        #expect(files.subtracting(manifest).isEmpty, "data files the store does not list: \(files.subtracting(manifest).sorted().prefix(10))")
        #expect(try server.psql("SELECT count(DISTINCT owner) FROM commits", database: database) != "1", "only one instance committed")
        print("several hosts (\(lakeKind.rawValue) lake): \(expected.lines) events, \(kills) kills, host \(zombie) cut off for \(cutFor), "
              + "\(refusedAfterCut) of its commits refused after the cut, its process exited fenced: \(zombieFenced), "
              + "\(instances.fencedExits.count) fenced exits restarted, \(manifest.count) files, \(ContinuousClock.now - began) in all (seed \(seed))")
    }

    /// The DLQ copies of the records `twice` (source `partition/offset`), one line per record: each copy's DLQ
    /// partition and offset, and when it was written, in seconds after the cut (negative: before it).
    static func dlqCopies(of twice: Set<String>, bootstrap: String, cutAt: Date) async throws -> String {
        let records = try await DeadLetterTopic.records(bootstrap: bootstrap, topic: topic + "_dlq")
        let byCoordinates = Dictionary(grouping: records) { record in
            let headers = DeadLetterTopic.headerText(record)
            return "\(headers["weir.source.partition"] ?? "?")/\(headers["weir.source.offset"] ?? "?")"
        }
        return twice.sorted().map { coordinates in
            coordinates + ": " + (byCoordinates[coordinates] ?? []).map { record in
                let after = record.timestampMs.map { String(format: "%.1f", Double($0) / 1000 - cutAt.timeIntervalSince1970) } ?? "?"
                return "\(record.partition)/\(record.offset) at \(after) s"
            }.joined(separator: ", ")
        }.joined(separator: "\n")
    }

    /// The ports of a bootstrap string (`host:port,…`).
    static func ports(of bootstrap: String) -> [Int] {
        bootstrap.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { Int($0) } }
    }
}
