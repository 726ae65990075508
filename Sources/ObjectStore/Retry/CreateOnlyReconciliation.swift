import Foundation

/// Decides what a 412 Precondition Failed on a create-only write means.
///
/// A create-only request can be applied by the service while its response is lost (a timeout, a reset). Its
/// retry then finds the object and gets 412. The call wrote those bytes if an earlier attempt may have reached
/// the service and the object's ETag is the one this call's bytes produce; otherwise another writer was first.
/// Pure: the caller fetches the existing object's metadata.
enum CreateOnlyReconciliation {
    /// - Parameters:
    ///   - expectedETag: the ETag this call's bytes produce (hex MD5, or `<md5>-<parts>` for multipart; for a
    ///     copy, the source's ETag), without quotes.
    ///   - existing: the object now at the key, nil if it is gone.
    ///   - earlierAttemptMayHaveApplied: an earlier attempt of this call failed in a way that may have reached
    ///     the service (anything but "could not connect").
    static func outcome(expectedETag: String, existing: ObjectInfo?, earlierAttemptMayHaveApplied: Bool) -> PutOutcome {
        let same = existing.map { normalize($0.etag) == normalize(expectedETag) } ?? false
        if same && earlierAttemptMayHaveApplied, let existing { return .created(etag: existing.etag) }
        return .alreadyExists(existing: existing, sameContent: same)
    }

    /// ETags compare without quotes and case-insensitively (hex digits).
    static func normalize(_ etag: String) -> String {
        etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
    }
}
