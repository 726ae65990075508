/// The digests S3 derives ETags from, for callers that stream an object in parts of their own (the lake's
/// `S3Storage` uploads what the Parquet writer produces, part by part, from memory).
public enum ContentDigest {
    /// The MD5 of `bytes` (16 bytes): `Content-MD5` of a part, and the ETag of a single-PUT object in hex.
    public static func md5(_ bytes: [UInt8]) -> [UInt8] { Digest.md5(bytes) }

    /// The ETag S3 gives a multipart object: the hex MD5 of the parts' concatenated binary MD5s, `-`, and the
    /// number of parts (e.g. `9b2cf535f27731c974343645a3985328-3`).
    public static func multipartETag(partMD5s: [[UInt8]]) -> String {
        var digest = Digest(.md5)
        for md5 in partMD5s { digest.update(md5) }
        return digest.finish().hexString + "-\(partMD5s.count)"
    }

    /// Lower-case hexadecimal of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String { bytes.hexString }
}
