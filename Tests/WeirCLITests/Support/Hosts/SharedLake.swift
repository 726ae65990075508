import Foundation
import ObjectStore
import ObjectStoreTestSupport
@testable import Pipeline

/// The lake every test host writes to: a directory of this machine's file system (the hosts are namespaces of one
/// machine and share it), or an `s3://` bucket on a SeaweedFS server listening on the root namespace's loopback,
/// which each host reaches over its own link (`forwardedPorts`, relayed like the brokers), with nothing shared
/// between the hosts but the bucket and the checkpoint store.
struct SharedLake: Sendable {
    enum Kind: String, Sendable { case directory, s3 }

    let kind: Kind
    /// What `weir run --out-dir` gets: a directory, or `s3://bucket/prefix`.
    let location: String
    /// The object store (`.s3` only).
    private let server: SeaweedServer?
    /// `lake.s3.lease_ttl` (`.s3` only).
    let leaseTTL: Duration

    init(directory: String) {
        kind = .directory
        location = directory
        server = nil
        leaseTTL = .zero
    }

    /// The lake at `s3://<server's bucket>/<prefix>`; each host reaches the server at 127.0.0.1:<its S3 port>.
    init(server: SeaweedServer, prefix: String, leaseTTL: Duration) {
        kind = .s3
        location = "s3://\(server.bucket)/\(prefix)"
        self.server = server
        self.leaseTTL = leaseTTL
    }

    /// Loopback ports every host must reach over its link (`TestHosts.forwardLoopback`): the object store's.
    var forwardedPorts: [Int] { server.map { [$0.ports["s3.port"]!] } ?? [] }

    /// `weir run`'s arguments for the lake (the same on every host; a relative `--config` is the host's own file).
    var arguments: [String] { ["--out-dir", location] + (server == nil ? [] : ["--config", "weir.yaml"]) }

    /// Files each host's working directory gets (name → content): the object store's endpoint and lease TTL.
    var hostFiles: [String: String] {
        guard let server else { return [:] }
        return ["weir.yaml": """
            lake:
              out_dir: \(location)
              s3:
                endpoint: \(server.endpoint)
                lease_ttl: \(leaseTTL.components.seconds)s
            """]
    }

    /// Environment for `weir run` (and the oracle): the bucket's credentials, nothing of the caller's AWS setup.
    var environment: [String: String] {
        guard let server else { return [:] }
        return ["AWS_ACCESS_KEY_ID": server.credentials.accessKeyId, "AWS_SECRET_ACCESS_KEY": server.credentials.secretAccessKey,
                "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "", "OUT_DIR": "", "CHECKPOINT_PATH": ""]
    }

    /// DuckDB's and pyarrow's view of the lake (`lake_stats.py`, or `s3_lake_stats.py` whose `duckdb` key is what
    /// DuckDB's httpfs reads from the bucket itself).
    func stats() async throws -> LakeStats {
        guard let server else { return try await LakeStats.of(location) }
        let (status, out, err) = try await ChildProcess.run(
            RepoPaths.python, [RepoPaths.oracle("s3_lake_stats.py"), location, "--endpoint", server.endpoint], environment: environment)
        guard status == 0 else { throw OracleError(message: "s3_lake_stats.py failed (\(status)): \(err)") }
        return try JSONDecoder().decode(LakeStats.self, from: Data(out.utf8))
    }

    /// A path of the store's manifest (`files.final_path`: the lake root and the file's name) as a name in the lake.
    func name(ofManifestPath path: String) -> String {
        path.hasPrefix(location + "/") ? String(path.dropFirst(location.count + 1)) : path
    }

    /// The data files in the lake's `date=` partitions, relative to the lake root (staging and state excluded).
    func dataFiles() throws -> Set<String> {
        guard let server else {
            let walker = FileManager.default.enumerator(atPath: location)
            var files: Set<String> = []
            while let path = walker?.nextObject() as? String {
                if path.hasSuffix(".parquet") && !path.hasPrefix("_weir/") { files.insert(path) }
            }
            return files
        }
        let prefix = keyPrefix
        return Set(try server.client().listAllObjects(prefix: prefix).map { String($0.key.dropFirst(prefix.count)) }
            .filter { $0.hasSuffix(".parquet") && !$0.hasPrefix("_weir/") })
    }

    /// The staging instance whose lease object names process `pid` (`.s3` only; nil when none does).
    func stagingInstance(ofProcess pid: Int32) throws -> String? {
        guard let server else { return nil }
        let client = try server.client()
        let staging = keyPrefix + "_weir/staging/"
        for object in try client.listAllObjects(prefix: staging) where object.key.hasSuffix("/" + S3Lease.objectName) {
            guard let record = S3LeaseRecord.decode(try client.getObject(key: object.key)), record.pid == pid else { continue }
            return String(object.key.dropFirst(staging.count).dropLast(S3Lease.objectName.count + 1))
        }
        return nil
    }

    /// `prefix/` of `s3://bucket/prefix`.
    private var keyPrefix: String { String(location.dropFirst("s3://".count).drop { $0 != "/" }.dropFirst()) + "/" }
}
