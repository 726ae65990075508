import Foundation
import Testing
import WeirTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// File-system and listener failures name the path or the port, the operation and the fix, and start with `weir:`.
@Suite struct FileAndPortErrorTests {
    @Test func aLakeDirectoryThisUserCannotWriteIsNamed() async throws {
        try #require(getuid() == 0, "needs root to run weir as another user")
        let dir = try RepoPaths.temporaryDirectory("readonly-lake")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lake = dir + "/lake"
        try FileManager.default.createDirectory(atPath: lake, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        // The lake belongs to root; `nobody` may read it but not write it.
        let (status, _, stderr) = try await ChildProcess.run(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", RepoPaths.weir, "simulate", "--count", "10",
                                 "--out-dir", lake, "--listen", "off", "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml"])
        #expect(status == 2, "\(stderr)")
        #expect(stderr.hasPrefix("weir: the lake root \(lake) is not writable by this user (uid 65534)"), "\(stderr)")
        #expect(stderr.contains("fix: make it writable"))
        #expect(!stderr.contains("Domain="))
    }

    @Test func aMissingProduceFileIsNamed() async throws {
        let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, ["produce", "--file", "/nonexistent/missing.jsonl", "--print"])
        #expect(status == 2, "\(stderr)")
        #expect(stderr.hasPrefix("weir: cannot read --file /nonexistent/missing.jsonl: no such file or directory (fix: check the path)"),
                "\(stderr)")
        #expect(!stderr.contains("NSCocoaErrorDomain") && !stderr.contains("Domain="))
    }

    /// The demo reads its schema from `--schema` or `SCHEMA_FILE` only: a missing file is named by what set it, and
    /// the fix points at those two, not at a configuration file the demo does not read.
    @Test func aMissingDemoSchemaNamesTheFlagOrTheVariable() async throws {
        let dir = try RepoPaths.temporaryDirectory("demo-schema")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, stdout, stderr) = try await ChildProcess.run(
            RepoPaths.weir, ["demo", "--events", "10", "--listen", "off", "--out-dir", dir + "/lake", "--schema", dir + "/none.yaml"])
        #expect(status == 2, "\(stdout)\n\(stderr)")
        #expect(stderr.contains("weir: invalid configuration: schema.file (set by --schema): \(dir)/none.yaml does not exist"), "\(stderr)")
        #expect(stderr.contains("(fix: give a Cerberus schema file (YAML or JSON), or neither --schema nor SCHEMA_FILE for the built-in"),
                "\(stderr)")
        let (fromEnvironment, _, environmentErr) = try await ChildProcess.run(
            RepoPaths.weir, ["demo", "--events", "10", "--listen", "off", "--out-dir", dir + "/lake"],
            environment: ["SCHEMA_FILE": dir + "/none.yaml"])
        #expect(fromEnvironment == 2, "\(environmentErr)")
        #expect(environmentErr.contains("weir: invalid configuration: schema.file (set by SCHEMA_FILE): \(dir)/none.yaml does not exist"),
                "\(environmentErr)")
        // A directory, and a file that is not a schema: named the same way, on one line, before any broker starts.
        try "schema:\n  a: {type: string\n  b: [\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        for (path, reason) in [(dir, "is a directory"), (dir + "/bad.yaml", "invalid YAML: line 3, column 4: did not find expected")] {
            let (code, out, err) = try await ChildProcess.run(
                RepoPaths.weir, ["demo", "--events", "10", "--listen", "off", "--out-dir", dir + "/lake", "--schema", path])
            #expect(code == 2, "\(out)\n\(err)")
            #expect(err.hasPrefix("weir: invalid configuration: schema.file (set by --schema): \(path): ") && err.contains(reason), "\(err)")
            #expect(err.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1 && !out.contains("embedded Kafka"), "\(out)\n\(err)")
        }
    }

    @Test func aBusyMetricsPortIsAConfigurationError() async throws {
        let busy = try ClosingListener(.close)
        defer { busy.stop() }
        let dir = try RepoPaths.temporaryDirectory("demo-port")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, stdout, stderr) = try await ChildProcess.run(
            RepoPaths.weir, ["demo", "--events", "100", "--listen", busy.address, "--out-dir", dir + "/lake",
                             "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml"], timeout: .seconds(180))
        #expect(status == 2, "\(stdout)\n\(stderr)")
        let port = try #require(busy.address.split(separator: ":").last)
        // The port, the host, the key and the fixes; none of swift-nio's internals (`bind(descriptor:…)`, errno).
        #expect(stderr.contains("weir: invalid configuration: observability.listen: port \(port) on 127.0.0.1 is in use by another process"),
                "\(stderr)")
        #expect(stderr.contains("--listen 127.0.0.1:PORT") && stderr.contains("--listen off"), "\(stderr)")
        #expect(!stderr.contains("errno") && !stderr.contains("descriptor"), "\(stderr)")
    }
}

/// Foundation errors that carry no POSIX code are diagnosed from the path itself.
@Suite struct FileProblemTests {
    @Test func aDirectoryOrAFileInThePathIsNamed() async throws {
        let (status, _, stderr) = try await ChildProcess.run(RepoPaths.weir, ["validate", "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml",
                                                                              NSTemporaryDirectory()])
        #expect(status == 2)
        #expect(stderr.contains("is a directory (fix: give a file, not a directory)"), "\(stderr)")
        let (lake, _, lakeErr) = try await ChildProcess.run(RepoPaths.weir, ["simulate", "--count", "1", "--out-dir", "/dev/null/lake",
                                                                            "--listen", "off", "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml"])
        #expect(lake == 2)
        #expect(lakeErr.hasPrefix("weir: cannot create the directory /dev/null/lake (from --out-dir, OUT_DIR or lake.out_dir): a component of the path is not a directory"), "\(lakeErr)")
        #expect(lakeErr.contains("point --out-dir, OUT_DIR or lake.out_dir at a writable directory)"), "\(lakeErr)")
        // A store outside the lake names its own setting.
        let lakeDir = TestDirectories.make("store-outside")
        defer { TestDirectories.remove(lakeDir) }
        let (store, _, storeErr) = try await ChildProcess.run(RepoPaths.weir, ["simulate", "--count", "1", "--out-dir", lakeDir + "/lake",
                                                                              "--checkpoint-path", "/dev/null/state/checkpoint.sqlite",
                                                                              "--listen", "off", "--schema", RepoPaths.root + "/schemas/pi2_events.v1.yaml"])
        #expect(store == 2)
        #expect(storeErr.hasPrefix("weir: cannot create the directory /dev/null/state (from --checkpoint-path, CHECKPOINT_PATH or checkpoint.path)"), "\(storeErr)")
    }
}
