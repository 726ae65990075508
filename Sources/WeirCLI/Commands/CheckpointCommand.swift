import ArgumentParser
import Foundation
import Pipeline

/// `weir checkpoint stats|prune|rebuild`.
struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Inspect or prune the checkpoint store (safe while weir run runs), or rebuild a lost one from the lake.",
        subcommands: [CheckpointStatsCommand.self, CheckpointPruneCommand.self, CheckpointRebuildCommand.self])
}

struct CheckpointStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Dedup keys (count, oldest, newest), store size, stored offsets and totals.")

    @OptionGroup var lake: LakeOptions
    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .text

    func run() async throws {
        let (_, _, store) = try await failOnConfigError { try lake.open() }
        let report = CheckpointMaintenance.report(try store.stats())
        switch format {
        case .json: try printJSON(report)
        case .text: print(CheckpointMaintenance.render(report))
        }
    }
}

struct CheckpointPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Delete dedup keys older than the TTL, in chunks.")

    @OptionGroup var lake: LakeOptions
    @Option(name: .long, parsing: .unconditional, help: "Keys first seen longer ago than this are deleted: a duration with a unit, e.g. 7d (default: dedup.ttl).")
    var ttl: String?
    @Option(name: .long, help: "Keys deleted per transaction.")
    var chunk: Int = 10_000

    func run() async throws {
        let (config, _, store) = try await failOnConfigError { try lake.open() }
        let ttl = try await failOnConfigError { try self.ttl.map { try ConfigValueParsers.duration($0, key: "--ttl", allowZero: true) } ?? config.pipeline.dedupTTL }
        let cutoff = Int64(Date().timeIntervalSince1970) - ttl.components.seconds
        let deleted = try CheckpointMaintenance.prune(store, olderThan: cutoff, chunk: max(1, chunk))
        print("pruned \(deleted) keys first seen before \(CheckpointMaintenance.iso(cutoff))")
    }
}
