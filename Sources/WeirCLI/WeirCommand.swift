import ArgumentParser
import Foundation
import Kafka

/// The `weir` root command. Each subcommand lives in its own file under `Commands/`.
public struct WeirCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "weir",
        abstract: "Near-real-time Kafka → validated, deduplicated, Hive-partitioned Parquet lake.",
        version: "weir \(WeirVersion.string) (librdkafka \(LibrdkafkaInfo.version), \(AllocatorInfo.description))",
        subcommands: [DemoCommand.self, RunCommand.self, SimulateCommand.self, BrokerCommand.self, ProduceCommand.self,
                      ValidateCommand.self, CompactCommand.self, MaintainCommand.self, CheckpointCommand.self, InspectCommand.self, DLQCommand.self]
    )

    public init() {}
}

extension WeirCommand {
    /// The process entry point: parses `CommandLine.arguments` and runs the chosen subcommand asynchronously.
    ///
    /// Exit status: 0 success, 1 failure, 2 a usage error (an unknown flag, a missing or invalid argument —
    /// ArgumentParser's own code for these is 64, `EX_USAGE`; Weir uses 2 like most Unix tools and like its
    /// configuration errors), and the subcommands' documented codes. Every error line starts with `weir:`.
    public static func runAsMain() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if error is ExitCode || error is CleanExit { exit(withError: error) }
            if exitCode(for: error) == .validationFailure {
                var message = fullMessage(for: error)
                if message.hasPrefix("Error: ") { message = "weir: " + message.dropFirst("Error: ".count) }
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            if exitCode(for: error) == .success { exit(withError: error) }
            let (line, status) = ErrorText.render(error)
            FileHandle.standardError.write(Data((line + "\n").utf8))
            Foundation.exit(status)
        }
    }
}
