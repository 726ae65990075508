import Foundation
import WeirTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real Prometheus server (the Debian `prometheus` binary) on loopback, for integration tests.
///
/// Reusable: point ``start(targets:scrapeInterval:)`` at any `host:port` serving `/metrics`
/// (an in-process `ObservabilityServer`, or later a `weir simulate` child process).
/// Always call ``stop()`` (it kills the process and deletes the temporary directory).
final class PrometheusTestServer: @unchecked Sendable {
    /// One sample of an instant-vector query result.
    struct Sample: Equatable {
        var labels: [String: String]
        var value: Double
    }

    enum Failure: Error, CustomStringConvertible {
        case missingBinary
        case notReady(log: String)
        case timeout(query: String, last: [Sample], log: String)
        case badResponse(String)

        var description: String {
            switch self {
            case .missingBinary: return "prometheus not found on PATH: run scripts/setup"
            case .notReady(let log): return "prometheus did not become ready; log tail:\n\(log)"
            case .timeout(let q, let last, let log): return "timed out on \(q); last=\(last); log tail:\n\(log)"
            case .badResponse(let body): return "unexpected API response: \(body)"
            }
        }
    }

    /// The Prometheus HTTP port on 127.0.0.1.
    let port: Int
    private let process: Process
    private let directory: URL

    private init(port: Int, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Starts Prometheus scraping `targets` (`host:port`, job `weir`) every `scrapeInterval`
    /// and waits until `/-/ready` answers 200 (``readinessSafetyNet`` bounds a hung process only).
    /// - Throws: ``Failure/notReady(log:)`` with Prometheus's log when it exits or never becomes ready.
    static func start(targets: [String], scrapeInterval: String = "1s") async throws -> PrometheusTestServer {
        guard let binary = TestSupport.executable("prometheus") else { throw Failure.missingBinary }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weir-prom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        let quoted = targets.map { "\"\($0)\"" }.joined(separator: ", ")
        let config = """
            global:
              scrape_interval: \(scrapeInterval)
              scrape_timeout: \(scrapeInterval)
            scrape_configs:
              - job_name: weir
                static_configs:
                  - targets: [\(quoted)]
            """
        try config.write(to: dir.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let port = try TestSupport.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(dir.path)/prometheus.yml",
            "--storage.tsdb.path=\(dir.path)/data",
            "--web.listen-address=127.0.0.1:\(port)",
            "--storage.tsdb.retention.time=1h",
        ]
        _ = FileManager.default.createFile(atPath: dir.path + "/prometheus.log", contents: nil)
        let log = try FileHandle(forWritingTo: dir.appendingPathComponent("prometheus.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = PrometheusTestServer(port: port, process: process, directory: dir)
        if try await server.becameReady(safetyNet: readinessSafetyNet) { return server }
        let tail = server.logTail()
        server.stop()
        throw Failure.notReady(log: tail)
    }

    /// How long a Prometheus that neither answers `/-/ready` nor exits is given: a safety net against a hung
    /// process only, since a busy machine can take tens of seconds to start it.
    static let readinessSafetyNet: Duration = .seconds(180)

    /// Polls `/-/ready` until it answers 200 (true) or the process exits or `safetyNet` passes (false).
    private func becameReady(safetyNet: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + safetyNet
        while process.isRunning && ContinuousClock.now < deadline {
            if let r = try? await TestSupport.get("http://127.0.0.1:\(port)/-/ready"), r.status == 200 { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Runs an instant query through `/api/v1/query`.
    func query(_ promql: String) async throws -> [Sample] {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promql)]
        let response = try await TestSupport.get(components.url!.absoluteString)
        guard let json = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
              json["status"] as? String == "success",
              let data = json["data"] as? [String: Any],
              let result = data["result"] as? [[String: Any]]
        else { throw Failure.badResponse(response.body) }
        return result.compactMap { entry in
            guard let metric = entry["metric"] as? [String: String],
                  let value = entry["value"] as? [Any], value.count == 2,
                  let text = value[1] as? String, let number = Double(text)
            else { return nil }
            return Sample(labels: metric, value: number)
        }
    }

    /// Polls `promql` every 250 ms until `accept` returns true; `timeout` is a safety net against a condition that
    /// never holds, not a budget (a busy machine can delay scrapes by tens of seconds).
    func waitFor(
        _ promql: String, timeout: Duration = .seconds(180), until accept: ([Sample]) -> Bool
    ) async throws -> [Sample] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var last: [Sample] = []
        while clock.now < deadline {
            last = (try? await query(promql)) ?? []
            if accept(last) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw Failure.timeout(query: promql, last: last, log: logTail())
    }

    /// The last ~2 KB of Prometheus's own log.
    func logTail() -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
        return String(text.suffix(2048))
    }

    /// Terminates Prometheus (SIGTERM, then SIGKILL after 5 s) and removes its directory.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitForExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
