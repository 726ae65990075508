import Foundation
import Pipeline

extension WeirConfig {
    /// The lake's layout: `lake.out_dir` with its checkpoint store. An `s3://` lake with a PostgreSQL store
    /// (`checkpoint.url`) and no `checkpoint.path` has no local state that a commit depends on; its local state
    /// directory (only `metrics.txt`) is `weir-<bucket>-<prefix>` in the temporary directory (`TMPDIR`), so any
    /// host can run it with nothing but the bucket and the store.
    func lakeLayout() -> LakeLayout {
        guard checkpointURL != nil, checkpointPath?.isEmpty ?? true, let location = S3Location.parse(outDir) else {
            return LakeLayout(root: outDir, checkpointPath: checkpointPath)
        }
        return LakeLayout(root: outDir, localStateDirectory: Self.temporaryStateDirectory(location))
    }

    /// The key that names the checkpoint store in messages: `checkpoint.url` (PostgreSQL) or `checkpoint.path`.
    var storeKey: String { checkpointURL != nil ? "checkpoint.url" : "checkpoint.path" }

    /// `<TMPDIR>/weir-<bucket>-<prefix with / as ->`: one per lake and host, shared by the lake's instances there.
    static func temporaryStateDirectory(_ location: S3Location) -> String {
        let name = ([location.bucket] + location.prefix.split(separator: "/").map(String.init)).joined(separator: "-")
        let safe = String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        return (NSTemporaryDirectory() as NSString).appendingPathComponent("weir-" + safe)
    }
}
