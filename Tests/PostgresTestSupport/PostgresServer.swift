import Foundation
import WeirTestSupport

/// A throwaway PostgreSQL 15 server for tests: `initdb` into a temporary directory, `postgres` listening on a free
/// loopback port with its unix socket inside that directory, stopped by PID and removed by `stop()`.
///
/// Running as root (PostgreSQL refuses to), the directory is handed to the unprivileged `postgres` user and the
/// server runs as that user (`setpriv`, which execs in place, so the PID is the postmaster's). Host connections
/// need the password (`scram-sha-256`); the unix socket trusts the `weir` superuser (used to create databases).
/// Besides loopback it can listen on addresses of test hosts' links (`listenAddresses`), accepting password
/// logins from their networks (`clientNetworks`).
public final class PostgresServer: @unchecked Sendable {
    public static let binaries = ProcessInfo.processInfo.environment["WEIR_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    public let directory: String
    public let port: Int
    public let user = "weir"
    public let password: String
    /// Where it listens besides 127.0.0.1.
    public let listenAddresses: [String]
    private let lock = NSLock()
    private var process: Process?
    private var log: FileHandle?

    /// One server per test process, started on first use and stopped at exit; tests take a database each.
    public static let shared: PostgresServer = {
        let server = try! PostgresServer()
        atexit { PostgresServer.shared.stop() }
        return server
    }()

    /// Initialises a cluster and starts it; waits until it accepts connections.
    /// - Parameters:
    ///   - listenAddresses: addresses to listen on besides 127.0.0.1 (each must exist on this machine).
    ///   - clientNetworks: networks (CIDR, e.g. `10.231.7.0/24`) whose hosts may log in with the password.
    /// - Throws: `PostgresServerError` with initdb's or the server's output when either fails (the directory is
    ///   removed).
    public init(listenAddresses: [String] = [], clientNetworks: [String] = []) throws {
        self.listenAddresses = listenAddresses
        guard FileManager.default.isExecutableFile(atPath: Self.binaries + "/initdb") else {
            throw PostgresServerError(message: "PostgreSQL 15 is not installed (no \(Self.binaries)/initdb): apt-get install postgresql-15 (scripts/setup does)")
        }
        directory = TestDirectories.make("postgres")
        password = "pw-" + UUID().uuidString.prefix(12).lowercased()
        port = Self.freePort()
        do {
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            try password.write(toFile: directory + "/pwfile", atomically: true, encoding: .utf8)
            if getuid() == 0 { try Self.chown(directory) }
            try run([Self.binaries + "/initdb", "-D", directory + "/data", "-U", user, "--pwfile=" + directory + "/pwfile",
                     "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"], output: directory + "/initdb.log")
            if !clientNetworks.isEmpty {
                let hba = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/data/pg_hba.conf"))
                hba.seekToEndOfFile()
                hba.write(Data(clientNetworks.map { "host all all \($0) scram-sha-256\n" }.joined().utf8))
                try hba.close()
            }
            try start()
        } catch {
            stop()
            throw error
        }
    }

    /// `postgres://weir:<password>@<host>:<port>/<database>`; `host` is 127.0.0.1 or one of `listenAddresses`.
    public func url(database: String = "postgres", password: String? = nil, host: String = "127.0.0.1") -> String {
        "postgres://\(user):\(password ?? self.password)@\(host):\(port)/\(database)"
    }

    /// Creates a fresh, empty database and returns its URL.
    public func makeDatabase(_ prefix: String = "t") throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try psql("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// Runs SQL through `psql` over the unix socket as the superuser; returns its unaligned output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let out = directory + "/psql-\(UUID().uuidString.prefix(6)).out"
        try run([Self.binaries + "/psql", "-h", directory, "-p", String(port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1",
                 "-A", "-t", "-c", sql], output: out)
        return (try? String(contentsOfFile: out, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Starts the server (again, after `stopServer()`), on the same port and data; returns when it accepts connections.
    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        guard process == nil else { return }
        let logPath = directory + "/server.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        if getuid() == 0 { try Self.chown(logPath) }
        let p = Process()
        let args = [Self.binaries + "/postgres", "-D", directory + "/data", "-p", String(port), "-k", directory,
                    "-c", "listen_addresses=" + (["127.0.0.1"] + listenAddresses).joined(separator: ","), "-c", "fsync=off", "-c", "max_connections=200"]
        (p.executableURL, p.arguments) = Self.asPostgresUser(args)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        process = p
        log = handle
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if !p.isRunning { break }
            if (try? run([Self.binaries + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", String(port)], output: nil)) != nil { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw PostgresServerError(message: "PostgreSQL did not start on port \(port):\n" + serverLog())
    }

    /// Stops the server (fast shutdown: SIGINT to the postmaster's PID, SIGKILL after 30 s); keeps the data.
    public func stopServer() {
        lock.lock()
        defer { lock.unlock() }
        guard let p = process else { return }
        if p.isRunning {
            kill(p.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(30)
            while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitForExit()
        }
        try? log?.close()
        process = nil
        log = nil
    }

    /// Stops the server and removes its directory.
    public func stop() {
        stopServer()
        TestDirectories.remove(directory)
    }

    /// The server's log, for a failing test's output.
    public func serverLog() -> String {
        (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "(no server log)"
    }

    private func run(_ args: [String], output: String?) throws {
        let p = Process()
        (p.executableURL, p.arguments) = Self.asPostgresUser(args)
        if let output {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            p.standardError = p.standardOutput
        } else {
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
        }
        try p.run()
        p.waitForExit()
        guard p.terminationStatus == 0 else {
            let text = output.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            throw PostgresServerError(message: "\((args[0] as NSString).lastPathComponent) exited with \(p.terminationStatus): \(text)")
        }
    }

    /// The command line, run as the `postgres` user when this process is root.
    private static func asPostgresUser(_ args: [String]) -> (URL, [String]) {
        guard getuid() == 0 else { return (URL(fileURLWithPath: args[0]), Array(args.dropFirst())) }
        return (URL(fileURLWithPath: "/usr/bin/setpriv"),
                ["--reuid=postgres", "--regid=postgres", "--init-groups", "--reset-env"] + args)
    }

    private static func chown(_ path: String) throws {
        guard let pw = getpwnam("postgres") else {
            throw PostgresServerError(message: "running as root, but there is no 'postgres' user to run the server as (apt-get install postgresql-15 creates it)")
        }
        let enumerator = FileManager.default.enumerator(atPath: path)
        Foundation.chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid)
        while let rel = enumerator?.nextObject() as? String { Foundation.chown(path + "/" + rel, pw.pointee.pw_uid, pw.pointee.pw_gid) }
        // The per-process test root above it must be traversable by the postgres user (it is created 0755 by
        // default; a restrictive umask would leave it closed).
        var st = stat()
        if stat(TestDirectories.root, &st) == 0 && st.st_mode & 0o001 == 0 { Foundation.chmod(TestDirectories.root, st.st_mode | 0o011) }
    }

    /// A loopback TCP port nobody listens on right now.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

public struct PostgresServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "test PostgreSQL: " + message }
}
