import Foundation
import Pipeline

/// The one place where the maintenance commands turn a lake location into a `Storage`. Today every lake is a
/// local directory (`POSIXStorage`); an `s3://` lake joins here, and `compact`, `inspect`, `checkpoint rebuild`
/// and `dlq replay --from-dir` then work on it unchanged.
enum LakeStorage {
    /// The storage holding the lake at `layout.root`, rooted there.
    static func open(_ layout: LakeLayout) -> Storage { layout.posixStorage() }

    /// A file or directory given on the command line (`weir inspect PATH`, `--from-dir`): the storage to read it
    /// through, its name there (empty for the storage's root) and the absolute path to show.
    /// - Throws: `StartupError` naming the path when nothing exists there.
    static func locate(_ path: String, what: String, fix: String) throws -> (storage: Storage, name: String, display: String) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            throw StartupError(message: "\(what) \(absolute) does not exist", fix: fix)
        }
        if isDirectory.boolValue { return (POSIXStorage(root: absolute, lockDirectory: absolute), "", absolute) }
        let parent = (absolute as NSString).deletingLastPathComponent
        return (POSIXStorage(root: parent, lockDirectory: parent), (absolute as NSString).lastPathComponent, absolute)
    }
}
