import Foundation
import ObjectStore

/// The day-two operations of `Storage` on S3: `HEAD` for `info`, a ranged `GET` for `read`, an unconditional
/// `PUT` for `overwrite` (compaction's placeholders; the commit path stays create-only).
extension S3Storage {
    public func info(_ name: String) throws -> StorageObjectInfo? {
        do {
            guard let head = try client.headObject(key: location.key(name)) else { return nil }
            let modified = head.lastModified.map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? 0
            return StorageObjectInfo(size: Int64(head.size), modifiedAt: modified)
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
    }

    public func read(_ name: String, range: Range<Int64>) throws -> [UInt8] {
        guard !range.isEmpty, range.lowerBound >= 0 else { return [] }
        let wanted = ByteRange(first: UInt64(range.lowerBound), last: UInt64(range.upperBound - 1))
        do {
            return try client.getObject(key: location.key(name), range: wanted, maxBytes: Int(range.count))
        } catch let error as S3Error where error.kind == .noSuchKey {
            throw StorageError(.notFound, "cannot read \(uri(name)): there is no such object")
        } catch let error as S3Error where error.status == 416 {
            return []  // the object ends before the range starts
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
    }

    public func overwrite(_ name: String, bytes: [UInt8]) throws {
        do {
            _ = try client.putObject(key: location.key(name), body: .bytes(bytes), createOnly: false)
        } catch let error as S3Error {
            throw StorageError(s3: error)
        }
    }
}
