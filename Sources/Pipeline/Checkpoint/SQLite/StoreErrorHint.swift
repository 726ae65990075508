import Foundation
import CSQLite

/// The operator's way out of a SQLite failure of the checkpoint store, by result code.
enum StoreErrorHint {
    /// A fix for SQLite result code `rc` on the store at `path` (`<lake>/_weir/checkpoint.sqlite`), or nil when
    /// there is nothing better to say than SQLite's message.
    static func fix(resultCode rc: Int32, path: String) -> String? {
        let lake = lakeRoot(ofStore: path)
        switch rc & 0xFF {
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return "the store is damaged: stop every weir process on this lake, move \(path) and its -wal and -shm files "
                + "aside, then run 'weir checkpoint rebuild --out-dir \(lake)' to restore it from the lake"
        case SQLITE_BUSY, SQLITE_LOCKED:
            return "another process held the store locked for longer than the busy timeout: find it with 'fuser \(path)', "
                + "stop it or let it finish, then retry"
        case SQLITE_FULL:
            return "the file system holding \(path) is full: free space and restart; nothing committed is lost"
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH:
            return "check that \(path) and its directory exist and are writable by this user"
        case SQLITE_IOERR:
            return "the disk or file system reported an I/O error on \(path): check it (dmesg, df), then restart"
        default:
            return nil
        }
    }

    /// The lake root of a store at `<lake>/_weir/checkpoint.sqlite` (the store's directory for any other path).
    private static func lakeRoot(ofStore path: String) -> String {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        return dir.lastPathComponent == "_weir" ? dir.deletingLastPathComponent().path : dir.path
    }
}
