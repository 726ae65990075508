import CCrypto
import Foundation

/// A streaming MD5 or SHA-256 digest over OpenSSL's EVP interface (libcrypto, the library libcurl's TLS uses).
///
/// MD5 is what S3 needs for `Content-MD5` and single-part ETags; SHA-256 is the signed payload hash
/// (`x-amz-content-sha256`). Neither is used for anything secret.
struct Digest: ~Copyable {
    enum Algorithm { case md5, sha256 }

    private let context: OpaquePointer

    init(_ algorithm: Algorithm) {
        guard let context = EVP_MD_CTX_new() else { fatalError("weir: EVP_MD_CTX_new failed (out of memory)") }
        let md = algorithm == .md5 ? EVP_md5() : EVP_sha256()
        guard EVP_DigestInit_ex(context, md, nil) == 1 else { fatalError("weir: EVP_DigestInit_ex failed") }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        _ = EVP_DigestUpdate(context, base, bytes.count)
    }

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    consuming func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context, &out, &length)
        return Array(out.prefix(Int(length)))
    }

    static func md5(_ bytes: [UInt8]) -> [UInt8] {
        var digest = Digest(.md5)
        digest.update(bytes)
        return digest.finish()
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = Digest(.sha256)
        digest.update(bytes)
        return digest.finish()
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal, as in ETags and `x-amz-content-sha256`.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard base64, as in `Content-MD5`.
    var base64String: String { Data(self).base64EncodedString() }
}
