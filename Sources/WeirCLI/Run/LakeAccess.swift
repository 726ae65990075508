import Foundation
import Pipeline

/// Checks at startup that the lake root can be written, so a read-only or missing-permission directory is one
/// clear error naming the path, not a Foundation error at the first commit.
enum LakeAccess {
    /// Creates the lake's directories and the checkpoint store's, then checks that each one (and an existing
    /// checkpoint store) is writable.
    /// - Throws: `StartupError` naming the path, what is wrong (not writable, read-only file system, not a
    ///   directory) and the fix.
    static func prepare(_ layout: LakeLayout) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: layout.root, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw StartupError(message: "the lake root \(layout.root) is a file, not a directory",
                               fix: "point --out-dir, OUT_DIR or lake.out_dir at a directory")
        }
        // The checkpoint store's directory too: a `checkpoint.path` outside the lake is created like the default one.
        let storeDirectory = (layout.storePath as NSString).deletingLastPathComponent
        for dir in [layout.root, layout.stateDirectory, storeDirectory, layout.stagingRoot] {
            if FileManager.default.fileExists(atPath: dir) {
                try checkWritable(dir, what: dir == layout.root ? "the lake root" : "the lake's state directory")
                continue
            }
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                // The nearest existing ancestor is the one that refused.
                var parent = URL(fileURLWithPath: dir).deletingLastPathComponent()
                while !FileManager.default.fileExists(atPath: parent.path) && parent.path != "/" { parent.deleteLastPathComponent() }
                try checkWritable(parent.path, what: "the directory")
                let problem = FileProblem(error, operation: "create the directory", path: dir)
                // Which setting the directory comes from: the store's own directory when `checkpoint.path` puts the
                // store outside the lake, the lake root otherwise.
                let inLake = dir == layout.root || dir.hasPrefix(layout.root + "/")
                let setting = inLake ? "--out-dir, OUT_DIR or lake.out_dir" : "--checkpoint-path, CHECKPOINT_PATH or checkpoint.path"
                throw StartupError(message: "cannot create the directory \(dir) (from \(setting)): "
                                       + (problem?.reason ?? error.localizedDescription),
                                   fix: (problem.map { "\($0.fix), or " } ?? "") + "point \(setting) at a writable directory")
            }
        }
        if FileManager.default.fileExists(atPath: layout.storePath) {
            try checkWritable(layout.storePath, what: "the checkpoint store")
        }
    }

    /// For an `s3://` lake: creates the local state directory (that of the SQLite store of `checkpoint.path`, or a
    /// temporary one with a PostgreSQL store) and checks it, and an existing store, are writable.
    /// - Throws: `StartupError` naming the path.
    static func prepareStateDirectory(_ layout: LakeLayout) throws {
        let dir = layout.stateDirectory
        if !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw StartupError(message: "cannot create the local state directory \(dir): \(error.localizedDescription)",
                                   fix: "point checkpoint.path (CHECKPOINT_PATH, --checkpoint-path), or TMPDIR with checkpoint.url, at a writable directory")
            }
        }
        try checkWritable(dir, what: "the lake's local state directory")
        if FileManager.default.fileExists(atPath: layout.storePath) {
            try checkWritable(layout.storePath, what: "the checkpoint store")
        }
    }

    private static func checkWritable(_ path: String, what: String) throws {
        guard access(path, W_OK) != 0 else { return }
        let code = errno
        let reason = code == EROFS ? "is on a read-only file system" : "is not writable by this user (uid \(getuid()))"
        let fix = code == EROFS ? "point --out-dir, OUT_DIR or lake.out_dir at a writable file system"
            : "make it writable (chown or chmod), or point --out-dir, OUT_DIR or lake.out_dir at a writable directory"
        throw StartupError(message: "\(what) \(path) \(reason)", fix: fix)
    }
}
