import Foundation
import Kafka
import Logging
import Observability
import Pipeline
import ServiceLifecycle

/// Runs one pipeline with its metrics endpoint, periodic telemetry and graceful shutdown on SIGTERM/SIGINT.
struct RunSession {
    let assembly: PipelineAssembly
    let source: RecordSource
    let deadLetters: DeadLetterSink
    let options: PipelineRunner.Options
    let logger: Logger
    let state = RunState()
    var onTick: (@Sendable (RunState) -> Void)? = nil
    /// Keep serving `/metrics` this long after the run ends, so a scraper sees the final values.
    var linger: Duration? = nil
    /// Called after each durable commit, after the metrics are updated.
    var onCommit: (@Sendable (CommitReport) -> Void)? = nil
    /// Called once the observability server listens, with its `host:port` (the real port when 0 was asked for).
    var onListening: (@Sendable (String) -> Void)? = nil

    /// Runs until the runner returns (idle, record limit) or a signal asks it to stop.
    /// - Throws: the runner's fatal errors, or the listener's bind error.
    func run() async throws -> RunSummary {
        MetricsBootstrap.bootstrap()
        let metrics = WeirMetrics()
        metrics.buildInfo(version: WeirVersion.string, librdkafka: LibrdkafkaInfo.version)
        assembly.refusedWrites.forward { metrics.lakeRefusedWrite(count: $0) }
        assembly.objectStoreRetries.forward { metrics.lakeObjectStoreRetry(count: $0) }
        let catalogConflicts = EventTally()
        if let table = assembly.committer as? IcebergTableCommit {
            table.onCatalogCommit = { rows, seconds, conflicts in
                metrics.icebergCommit(records: rows, seconds: seconds, conflicts: conflicts)
                catalogConflicts.increment(by: conflicts)
            }
            table.onCatalogCommitRefused = { conflicts in
                metrics.icebergCommitRefused(conflicts: conflicts)
                catalogConflicts.increment(by: conflicts)
            }
        }
        var observer = TelemetryObserver.make(metrics: metrics, state: state, table: assembly.config.pipeline.table)
        if let onCommit, let base = observer.committed {
            observer.committed = { report in
                base(report)
                onCommit(report)
            }
        }
        let runner = assembly.makeRunner(source: source, deadLetters: deadLetters, options: options, observer: observer, logger: logger)
        let opened = assembly.opened
        // `/readyz` reads the probe's last answers; the checks (at most about 2 s each) run on the probe's thread.
        let probe = StoreProbe(check: opened.answers)
        let server = try await startServer(probe: probe)
        if server != nil { probe.start() }
        defer { probe.stop() }
        let started = ContinuousClock.now
        let telemetry = Task { [state, source, onTick] in
            var reported = Set<SourcePartition>()
            while !Task.isCancelled {
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { break }  // cancelled: stop now
                let commitBefore = state.lastCommit
                var lags = await source.lag()
                // A commit that landed while the lag was read (a round trip per partition) would put its counts on
                // this line beside the lag from before it (`weir demo` showed "committed 100000 … lag 1250"): read
                // the lag again.
                if state.lastCommit != commitBefore { lags = await source.lag() }
                state.setLag(lags.isEmpty ? nil : lags.values.reduce(0, +))
                onTick?(state)  // after the lag is read, so a line never shows the previous second's
                let seconds = state.lagSeconds(offsetLags: lags, nowMs: RFC3339.nowMicros() / 1000)
                for (p, lag) in lags {
                    metrics.consumerLag(topic: p.topic, partition: p.partition, offsets: lag, seconds: seconds[p] ?? 0)
                }
                for (p, micros) in state.lastEventMicros where lags[p] != nil {
                    metrics.lastCommittedEventTime(topic: p.topic, partition: p.partition, unixSeconds: Double(micros) / 1e6)
                }
                // Partitions no longer assigned: drop their series, so a stale lag does not keep an alert firing.
                reported.formUnion(lags.keys)
                let revoked = reported.subtracting(state.assigned)
                for p in revoked { metrics.removeConsumerLag(topic: p.topic, partition: p.partition) }
                reported.subtract(revoked)
                metrics.checkpointDBSize(bytes: opened.databaseBytes())
            }
        }
        defer { telemetry.cancel() }
        let pruner = DedupPruner(store: assembly.store, ttl: assembly.config.pipeline.dedupTTL, logger: logger)
        let pruning = Task.detached { await pruner.run() }
        defer { pruning.cancel() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: runner, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        telemetry.cancel()
        await telemetry.value  // it holds the source: released before the caller stops the brokers (weir demo)
        // The last line's lag as of now (none when the consumer is already closed), not the last tick's.
        let finalLags = await source.lag()
        state.setLag(finalLags.isEmpty ? nil : finalLags.values.reduce(0, +))
        onTick?(state)
        if let linger, server != nil { try? await Task.sleep(for: linger) }
        try? await server?.stop()
        return RunSummary(counts: runner.committedCounts, files: runner.filesWritten, bytes: runner.bytesWritten,
                          duration: ContinuousClock.now - started,
                          activeDuration: runner.firstPollAt.flatMap { first in runner.lastCommitAt.map { $0 - first } },
                          lostToRetention: runner.recordsLostToRetention, refusedWrites: assembly.refusedWrites.total,
                          icebergConflicts: catalogConflicts.total)
    }

    private func startServer(probe: StoreProbe) async throws -> ObservabilityServer? {
        let listen = assembly.config.metricsListen
        guard listen != "off" else { return nil }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ConfigError(key: "observability.listen", message: "'\(listen)' is not host:port", fix: "use e.g. 127.0.0.1:9108, or off")
        }
        let host = String(listen[..<colon])
        let state = self.state
        // `/readyz` reads the probe's last answers; the checks (at most 500 ms each) run on the probe's thread.
        let readiness = PipelineReadiness(
            maxCommitAge: assembly.config.readyMaxCommitAge,
            partitionsAssigned: { !state.assigned.isEmpty },
            storeReachable: { probe.isAnswering },
            lastCommit: { state.lastCommit })
        let server = ObservabilityServer(configuration: .init(host: host, port: port), readiness: readiness)
        do {
            let bound = try await server.start()
            logger.info("observability listening", metadata: ["address": "\(host):\(bound)"])
            onListening?("\(host):\(bound)")
        } catch ObservabilityServer.ServerError.addressInUse(let host, let port) {
            throw ConfigError(key: "observability.listen", message: "port \(port) on \(host) is in use by another process",
                              fix: "stop that process (`ss -ltnp 'sport = :\(port)'` names it), or choose a free port with "
                                + "--listen \(host):PORT (key observability.listen), or turn the listener off with --listen off")
        } catch {
            throw ConfigError(key: "observability.listen", message: "cannot listen on \(listen): \(error)",
                              fix: "give a host:port of this machine with --listen (key observability.listen), or --listen off")
        }
        return server
    }
}

/// The outcome of a run, for the exit summary.
struct RunSummary: Sendable {
    let counts: BatchCounts
    let files: Int
    let bytes: Int64
    let duration: Duration
    /// From the first poll that returned records to the last commit.
    let activeDuration: Duration?
    /// Records the source deleted (retention) before this lake read them; printed only when there were any.
    var lostToRetention: Int64 = 0
    /// Create-only lake writes the object store refused (`weir_lake_refused_writes_total`); printed only when any.
    var refusedWrites = 0
    /// Iceberg catalog commits another writer got in first (`weir_iceberg_commit_conflicts_total`); printed only when any.
    var icebergConflicts = 0

    /// Events per second over the active period.
    var throughput: Double {
        guard let active = activeDuration, active.seconds > 0 else { return 0 }
        return Double(counts.total) / active.seconds
    }

    func render() -> String {
        let c = counts
        let slo = SLOReport.compute(counts: statusCounts, duration: activeDuration ?? duration)
        var lines = [
            "records   \(c.total)",
            "landed    \(c.valid)",
            "duplicates \(c.duplicates)",
            "dlq       \(c.invalid)" + (c.deadLettered.isEmpty ? "" : "  (" + c.deadLettered.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: ", ") + ")"),
            "files     \(files) (\(bytes) bytes)",
            "throughput \(Int(throughput)) events/s",
        ]
        if lostToRetention > 0 {
            lines.append("lost      \(lostToRetention) records deleted by the topic's retention before they were read")
        }
        if refusedWrites > 0 {
            lines.append("refused   \(refusedWrites) lake writes whose name was taken (published by another instance's recovery; see docs/S3.md)")
        }
        if icebergConflicts > 0 {
            lines.append("conflicts \(icebergConflicts) Iceberg commits another writer got in first, planned again (see docs/ICEBERG.md)")
        }
        lines.append(slo.summaryLine)
        return lines.joined(separator: "\n")
    }

    var statusCounts: [EventStatus: Int] {
        var out: [EventStatus: Int] = [.success: counts.valid, .duplicate: counts.duplicates]
        for (reason, n) in counts.deadLettered { out[TelemetryObserver.status(for: reason), default: 0] += n }
        return out
    }
}
