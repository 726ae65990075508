import Foundation

/// One `weir run` instance per test host, each inside its host's namespace with a working directory of its own
/// (`<directory>/host-<i>`): started, SIGKILLed and started again, stopped. Every process's output is kept (the
/// current run's and the last earlier runs' tails), for a failing test's message.
final class HostInstances: @unchecked Sendable {
    private let hosts: TestHosts
    private let arguments: [String]
    private let environment: [String: String]
    private let directory: String
    private(set) var current: [ChildProcess?]
    /// Tails of finished runs, oldest first: (host, run number, output).
    private var finished: [String] = []
    private var runs: [Int]

    /// - Parameters:
    ///   - arguments: `weir`'s arguments, the same on every host.
    ///   - environment: added to the test process's environment (e.g. `WEIR_CHECKPOINT_URL`).
    init(hosts: TestHosts, arguments: [String], environment: [String: String], directory: String) throws {
        self.hosts = hosts
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        current = Array(repeating: nil, count: hosts.hosts.count)
        runs = Array(repeating: 0, count: hosts.hosts.count)
        for host in hosts.hosts {
            try FileManager.default.createDirectory(atPath: workingDirectory(host.index), withIntermediateDirectories: true)
        }
    }

    deinit {
        for child in current { if let child, child.process.isRunning { child.kill() } }
    }

    func workingDirectory(_ host: Int) -> String { directory + "/host-\(host)" }

    /// Starts `weir` on `host` (which must have no running instance).
    func start(_ host: Int) throws {
        precondition(current[host].map { !$0.process.isRunning } ?? true, "host \(host) still runs an instance")
        if let previous = current[host] { keep(previous, host: host) }
        let (executable, args) = hosts.command(on: host, RepoPaths.weir, arguments)
        runs[host] += 1
        current[host] = try ChildProcess(executable, args, environment: environment, directory: workingDirectory(host))
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
        for child in current { if let child, child.process.isRunning { child.kill(signal) } }
        var statuses: [Int32] = []
        for child in current { statuses.append(await child?.wait(timeout: timeout) ?? -1) }
        return statuses
    }

    /// The standard error of the instance running on `host` now.
    func stderr(_ host: Int) -> String { current[host]?.stderr ?? "" }

    /// Every process's output tail: the earlier runs' (the last twelve) and each host's current one.
    func outputs(limit: Int = 2500) -> String {
        var parts = finished.suffix(12)
        for (host, child) in current.enumerated() {
            if let child { parts.append(child.output("host \(host) run \(runs[host]) (current)", limit: limit)) }
        }
        return parts.joined(separator: "\n")
    }

    private func keep(_ child: ChildProcess, host: Int) {
        let how = child.wasKilled ? "killed" : "exit \(child.process.terminationStatus)"
        finished.append(child.output("host \(host) run \(runs[host]) (\(how))", limit: 1500))
    }
}
