import Foundation
import ObjectStore
import Pipeline

/// `lake.s3.*`: how an `s3://` lake's object store is reached. Credentials are not configured here: they come
/// from the environment and the AWS shared files (`CredentialsResolver`), and are never logged.
struct ObjectLakeSettings: Sendable {
    /// `lake.s3.endpoint`: the service URL, e.g. `http://127.0.0.1:8333` (path-style addressing). Default: the
    /// environment's `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, else AWS S3 in `region`.
    var endpoint: String? = nil
    /// `lake.s3.region`: the signing region. Default: `AWS_REGION` or `AWS_DEFAULT_REGION`, else `us-east-1`.
    var region: String? = nil
    /// `lake.s3.ca_file`: a PEM bundle of trusted CAs for TLS. Default: the system store.
    var caFile: String? = nil
    /// `lake.s3.lease_ttl`: how long a staging lease lives without renewal (renewed every third of it); another
    /// instance's recovery may take over a writer silent for longer. Default 30s.
    var leaseTTL: Duration = .seconds(30)
    /// Whether the endpoint or region came from the file or a flag (environment defaults apply only otherwise).
    private var endpointFromFile = false
    private var regionFromFile = false

    mutating func apply(_ r: inout ConfigReader) throws {
        if let v = try r.string("endpoint") { endpoint = v; endpointFromFile = true }
        if let v = try r.string("region") { region = v; regionFromFile = true }
        caFile = try r.string("ca_file") ?? caFile
        leaseTTL = try r.duration("lease_ttl") ?? leaseTTL
        try r.rejectUnknownKeys(allowed: ["endpoint", "region", "ca_file", "lease_ttl"])
    }

    /// The AWS tools' variables, used where the file does not set the key.
    /// - Returns: the keys set and the variable each came from (`lake.s3.region`, `AWS_REGION`).
    mutating func applyEnvironment(_ env: [String: String]) -> [(key: String, variable: String)] {
        func first(_ names: String...) -> (name: String, value: String)? {
            for name in names { if let v = env[name], !v.isEmpty { return (name, v) } }
            return nil
        }
        var set: [(key: String, variable: String)] = []
        if !endpointFromFile, let (name, v) = first("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL") {
            endpoint = v
            set.append(("lake.s3.endpoint", name))
        }
        if !regionFromFile, let (name, v) = first("AWS_REGION", "AWS_DEFAULT_REGION") {
            region = v
            set.append(("lake.s3.region", name))
        }
        return set
    }

    /// The client configuration for `bucket`.
    func clientConfiguration(bucket: String) -> S3Configuration {
        S3Configuration(bucket: bucket, endpoint: endpoint, region: region ?? "us-east-1", caFile: caFile)
    }
}

extension WeirConfig {
    /// An `s3://` lake needs a valid location and a checkpoint store outside the bucket: PostgreSQL
    /// (`checkpoint.url`) or a SQLite file (`checkpoint.path`).
    /// - Throws: `ConfigError` naming `lake.out_dir` or `checkpoint.path`.
    func validateLakeLocation() throws {
        // The sql catalog lives in the PostgreSQL store too (migration 3), tested with a lake on a file system; a
        // REST catalog or an s3:// lake with a PostgreSQL store is not tested yet and stays refused.
        if checkpointURL != nil, lakeTable.format == .iceberg, lakeTable.iceberg.catalog == .rest || S3Location.isObjectStore(outDir) {
            let what = lakeTable.iceberg.catalog == .rest ? "a REST catalog (lake.iceberg.catalog: rest)" : "an s3:// lake (\(outDir))"
            throw ConfigError(key: "checkpoint.url",
                              message: "an Apache Iceberg table with \(what) and a PostgreSQL checkpoint store is not supported yet",
                              fix: "remove checkpoint.url (WEIR_CHECKPOINT_URL) to use the SQLite store, or use lake.iceberg.catalog: sql with a lake on a file system")
        }
        guard S3Location.isObjectStore(outDir) else { return }
        guard let location = S3Location.parse(outDir) else {
            throw ConfigError(key: "lake.out_dir", message: "'\(outDir)' is not an object-storage location",
                              fix: "write s3://bucket/prefix (no empty, . or .. path segments)")
        }
        do {
            try s3.clientConfiguration(bucket: location.bucket).validate()
        } catch let error as S3Error {
            let key = error.message.hasPrefix("bucket") ? "lake.out_dir"
                : error.message.hasPrefix("endpoint") ? "lake.s3.endpoint"
                : error.message.hasPrefix("region") ? "lake.s3.region" : "lake.s3.ca_file"
            throw ConfigError(key: key, message: error.message, fix: "correct \(key)")
        }
        // With a PostgreSQL store (checkpoint.url) nothing of the lake's state is local: the store is shared and the
        // rest lives in a temporary directory (`lakeLayout()`); only the SQLite store needs a file.
        if checkpointURL != nil, checkpointPath?.isEmpty ?? true { return }
        guard let path = checkpointPath, !path.isEmpty else {
            throw ConfigError(key: "checkpoint.path",
                              message: "is required when the lake is in object storage (\(outDir)): the checkpoint store is a SQLite file and cannot live in a bucket",
                              fix: "set checkpoint.path, CHECKPOINT_PATH or --checkpoint-path to a file on a disk every weir instance of this lake shares (one host: a local path such as /var/lib/weir/\(location.bucket)/checkpoint.sqlite), or checkpoint.url to a PostgreSQL store every host reaches")
        }
        if S3Location.isObjectStore(path) {
            throw ConfigError(key: "checkpoint.path", message: "'\(path)' is in object storage; the checkpoint store is a SQLite file",
                              fix: "give a file system path")
        }
    }
}
