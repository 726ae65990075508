import Foundation
import Testing

/// The exit statuses the README documents, checked on the real binary.
@Suite struct ExitStatusTests {
    @Test func usageErrorsExitWithTwoAndSayWhatWasWrong() async throws {
        let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, ["validate", "--no-such-flag", "/dev/null"])
        #expect(status == 2)
        #expect(stderr.hasPrefix("weir: Unknown option '--no-such-flag'"), "\(stderr)")
        let (unknown, _, unknownErr) = try await ChildProcess.run(RepoPaths.weir, ["no-such-command"])
        #expect(unknown == 2)
        #expect(unknownErr.contains("no-such-command"))
    }

    /// A negative count is a value the demo rejects by name, not a flag that leaves `--events` "Missing value".
    @Test func aNegativeOrZeroDemoEventCountIsNamed() async throws {
        for (value, flag) in [("-5", "--events"), ("0", "--events"), ("-1", "--rate")] {
            let args = flag == "--events" ? ["demo", "--events", value] : ["demo", "--events", "10", "--rate", value]
            let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, args)
            #expect(status == 2, "\(args): \(stderr)")
            #expect(stderr.hasPrefix("weir: \(flag) must be "), "\(args): \(stderr)")
            #expect(stderr.contains("not \(value)"), "\(args): \(stderr)")
            #expect(!stderr.contains("Missing value"), "\(args): \(stderr)")
        }
    }

    @Test func validateExitsWithOneWhenALineIsInvalid() async throws {
        let file = try RepoPaths.temporaryDirectory("validate") + "/lines.jsonl"
        defer { RepoPaths.remove(file) }
        let good = #"{"event_id":"e1","ts":"2025-10-30T12:00:00Z","usuario_id":5,"accion":"view"}"#
        try (good + "\n{}\n").write(toFile: file, atomically: true, encoding: .utf8)
        let (status, stdout, _) = try await ChildProcess.run(RepoPaths.weir, ["validate", "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml", file])
        #expect(status == 1)
        #expect(stdout.contains("summary: 2 lines, 1 valid, 1 invalid (schema: 1)"))
    }

    @Test func aBadFetchWakeIntervalNamesTheKey() async throws {
        let file = try RepoPaths.temporaryDirectory("wake-config") + "/weir.yaml"
        defer { RepoPaths.remove(file) }
        try "kafka:\n  fetch_wake_interval: soon\n".write(toFile: file, atomically: true, encoding: .utf8)
        let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, ["run", "--config", file, "--listen", "off"])
        #expect(status == 2)
        #expect(stderr.contains("kafka.fetch_wake_interval: 'soon' is not a duration"))
    }

    /// A zero flush interval would commit after every poll: rejected at startup, from the file and from the flag.
    @Test func aZeroFlushIntervalIsRejectedWithTheKeyAndTheFix() async throws {
        let dir = try RepoPaths.temporaryDirectory("flush-interval")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "lake:\n  flush_interval: 0s\n".write(toFile: dir + "/zero.yaml", atomically: true, encoding: .utf8)
        try "lake:\n  flush_rows: 1000\n".write(toFile: dir + "/plain.yaml", atomically: true, encoding: .utf8)
        for args in [["run", "--config", dir + "/zero.yaml", "--listen", "off"],
                     ["run", "--config", dir + "/plain.yaml", "--flush-interval", "0s", "--listen", "off"]] {
            let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, args)
            #expect(status == 2, "\(args)")
            // The key as the user wrote it (the file and its key, or the flag), what is wrong, and the fix.
            let key = args.contains("--flush-interval") ? "--flush-interval" : dir + "/zero.yaml: lake.flush_interval"
            #expect(stderr.contains("weir: invalid configuration: \(key): '0s' must be positive"), "\(stderr)")
            #expect(stderr.contains("(fix: write e.g. "), "\(stderr)")
        }
    }

    @Test func helpExitsWithZero() async throws {
        let (status, stdout, _) = try await ChildProcess.run(RepoPaths.weir, ["--help"])
        #expect(status == 0)
        #expect(stdout.contains("SUBCOMMANDS"))
    }

    @Test func aMissingSchemaFileIsNamedPlainly() async throws {
        let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, ["validate", "--schema", "/nonexistent/schema.yaml", "/dev/null"])
        #expect(status == 2)
        #expect(stderr.hasPrefix("weir: invalid configuration: schema.file (set by --schema): /nonexistent/schema.yaml does not exist"),
                "\(stderr)")
        #expect(!stderr.contains("NSCocoaErrorDomain"))
    }
}

/// `weir produce` gives up quickly, with exit 2, when the brokers cannot be reached (instead of retrying every
/// message for message.timeout.ms).
@Suite struct ProduceUnreachableTests {
    /// The proof of "fast" is the path taken, not the wall clock (a starved machine stretched 15 s to 97 s): exit 2
    /// with the metadata message means produce gave up on its bounded metadata wait; the slow path (each message
    /// retried for message.timeout.ms, 5 minutes) ends in delivery failures and exit 1. The timeout below is only
    /// a safety net, shorter than that slow path.
    @Test func produceToUnreachableBrokersFailsFastWithTwo() async throws {
        let (status, stdout, stderr) = try await ChildProcess.run(
            RepoPaths.weir, ["produce", "--bootstrap-servers", "127.0.0.1:1", "--topic", "nowhere", "--count", "10"],
            timeout: .seconds(280))
        #expect(status == 2, "stdout: \(stdout)\nstderr: \(stderr)")
        #expect(stderr.contains("cannot connect to the Kafka brokers at 127.0.0.1:1: connection refused"), "\(stderr)")
        #expect(!stdout.contains("delivered="), "no message was sent: \(stdout)")
    }
}
