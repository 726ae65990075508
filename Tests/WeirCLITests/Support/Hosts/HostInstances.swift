import Foundation

/// One `weir run` instance per test host, each inside its host's namespace with a working directory of its own
/// (`<directory>/host-<i>`, also its `TMPDIR`, holding the host's own files): started, SIGKILLed and started
/// again, stopped. Every process's output is kept (the current run's and the last earlier runs' tails), for a
/// failing test's message.
///
/// Like a service manager, `restartFenced()` starts again an instance that exited because another instance's
/// recovery fenced it (`StagingLeaseLost`: its object-storage lease expired while it was stalled or cut off,
/// docs/S3.md "Leases and fencing"), which is the documented way back for such a writer; any other exit stays.
final class HostInstances: @unchecked Sendable {
    /// What a fenced `weir run` logs before it exits 1 (`StagingLeaseLost`).
    static let fencedMarker = "was taken over by another instance's recovery"

    private let hosts: TestHosts
    private let arguments: [String]
    private let environment: [String: String]
    private let directory: String
    private let lock = NSLock()
    private var processes: [ChildProcess?]
    /// Tails of finished runs, oldest first: (host, run number, output).
    private var finished: [String] = []
    private var runs: [Int]
    /// Instances that exited fenced and were started again (host, pid of the fenced one).
    private(set) var fencedExits: [(host: Int, pid: Int32)] = []

    /// - Parameters:
    ///   - arguments: `weir`'s arguments, the same on every host.
    ///   - environment: added to the test process's environment (e.g. `WEIR_CHECKPOINT_URL`); `TMPDIR` is each
    ///     host's working directory.
    ///   - files: written into every host's working directory (name → content), e.g. a relative `--config`.
    init(hosts: TestHosts, arguments: [String], environment: [String: String], files: [String: String] = [:],
         directory: String) throws {
        self.hosts = hosts
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        processes = Array(repeating: nil, count: hosts.hosts.count)
        runs = Array(repeating: 0, count: hosts.hosts.count)
        for host in hosts.hosts {
            try FileManager.default.createDirectory(atPath: workingDirectory(host.index), withIntermediateDirectories: true)
            for (name, content) in files { try content.write(toFile: workingDirectory(host.index) + "/" + name, atomically: true, encoding: .utf8) }
        }
    }

    deinit {
        for child in processes { if let child, child.process.isRunning { child.kill() } }
    }

    func workingDirectory(_ host: Int) -> String { directory + "/host-\(host)" }

    /// The instance each host runs now (or ran last).
    var current: [ChildProcess?] { lock.withLock { processes } }

    /// Starts `weir` on `host`, unless an instance runs there already (`restartFenced()` may have started it).
    func start(_ host: Int) throws {
        try lock.withLock { try startLocked(host) }
    }

    private func startLocked(_ host: Int) throws {
        if let previous = processes[host] {
            guard !previous.process.isRunning else { return }
            keep(previous, host: host)
        }
        let (executable, args) = hosts.command(on: host, RepoPaths.weir, arguments)
        runs[host] += 1
        processes[host] = try ChildProcess(executable, args, environment: environment.merging(["TMPDIR": workingDirectory(host)]) { $1 },
                                           directory: workingDirectory(host))
    }

    /// Starts again every instance that exited by itself because it was fenced; returns how many.
    @discardableResult
    func restartFenced() throws -> Int {
        try lock.withLock {
            var restarted = 0
            for (host, child) in processes.enumerated() {
                guard let child, !child.process.isRunning, !child.wasKilled, child.process.terminationStatus == 1,
                      child.stderr.contains(Self.fencedMarker) else { continue }
                fencedExits.append((host, child.process.processIdentifier))
                try startLocked(host)
                restarted += 1
            }
            return restarted
        }
    }

    /// SIGKILLs the instance on `host` and waits for it to end; true when the signal ended it (it had not exited).
    @discardableResult
    func kill(_ host: Int) async -> Bool {
        guard let child = current[host] else { return false }
        if child.process.isRunning { child.kill() }
        await child.wait()
        return child.wasKilled
    }

    /// Sends `signal` to every running instance and waits (up to `timeout` each); returns the exit statuses.
    func stopAll(_ signal: Int32 = SIGTERM, timeout: Duration = .seconds(120)) async -> [Int32] {
        let children = current
        for child in children { if let child, child.process.isRunning { child.kill(signal) } }
        var statuses: [Int32] = []
        for child in children { statuses.append(await child?.wait(timeout: timeout) ?? -1) }
        return statuses
    }

    /// The standard error of the instance running on `host` now.
    func stderr(_ host: Int) -> String { current[host]?.stderr ?? "" }

    /// Every process's output tail: the earlier runs' (the last twelve) and each host's current one.
    func outputs(limit: Int = 2500) -> String {
        lock.withLock {
            var parts = finished.suffix(12)
            for (host, child) in processes.enumerated() {
                if let child { parts.append(child.output("host \(host) run \(runs[host]) (current)", limit: limit)) }
            }
            return parts.joined(separator: "\n")
        }
    }

    private func keep(_ child: ChildProcess, host: Int) {
        let how = child.wasKilled ? "killed" : "exit \(child.process.terminationStatus)"
        finished.append(child.output("host \(host) run \(runs[host]) (\(how))", limit: 1500))
    }
}
