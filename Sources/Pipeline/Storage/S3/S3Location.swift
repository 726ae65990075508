/// A lake location in object storage, `s3://bucket/prefix`, parsed.
///
/// The prefix has no leading or trailing `/` (empty for the bucket's root); object keys are `prefix/name`.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public let bucket: String
    public let prefix: String

    public init(bucket: String, prefix: String) {
        self.bucket = bucket
        self.prefix = prefix
    }

    /// Whether `text` names an object-storage location (starts with `s3://`).
    public static func isObjectStore(_ text: String) -> Bool { text.hasPrefix("s3://") }

    /// Parses `s3://bucket[/prefix[/]]`; nil when `text` is not of that shape (no bucket, empty path segments,
    /// `.` or `..` segments).
    public static func parse(_ text: String) -> S3Location? {
        guard isObjectStore(text) else { return nil }
        let rest = text.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        var segments = Array(parts.dropFirst())
        if segments.last == "" { segments.removeLast() }
        guard segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
        return S3Location(bucket: bucket, prefix: segments.joined(separator: "/"))
    }

    /// `s3://bucket/prefix` (no trailing `/`).
    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    /// The object key of the storage name `name` (relative to the prefix).
    public func key(_ name: String) -> String {
        if name.isEmpty { return prefix }
        return prefix.isEmpty ? name : prefix + "/" + name
    }
}
