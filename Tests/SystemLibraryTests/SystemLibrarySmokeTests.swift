import CCrypto
import Foundation
import CCurl
import CRdKafka
import CSQLite
import CSnappy
import CZlib
import CZstd
import Testing

/// Calls one function of each system library, so that a missing library fails loudly at build or run time.
@Suite struct SystemLibrarySmokeTests {
    @Test func librdkafkaReportsAVersion() {
        let version = String(cString: rd_kafka_version_str())
        #expect(version.hasPrefix("2."))
    }

    @Test func snappyRoundTrips() {
        var input = Array("weir weir weir weir".utf8)
        var compressedLength = snappy_max_compressed_length(input.count)
        var compressed = [CChar](repeating: 0, count: compressedLength)
        let status = input.withUnsafeMutableBytes { inp in
            snappy_compress(inp.baseAddress!.assumingMemoryBound(to: CChar.self), inp.count, &compressed, &compressedLength)
        }
        #expect(status == SNAPPY_OK)
        var outLength = input.count
        var output = [CChar](repeating: 0, count: outLength)
        #expect(snappy_uncompress(compressed, compressedLength, &output, &outLength) == SNAPPY_OK)
        #expect(output.map { UInt8(bitPattern: $0) } == input)
        input.removeAll()
    }

    @Test func zstdReportsAVersion() {
        #expect(ZSTD_versionNumber() >= 10400)
    }

    @Test func zlibReportsAVersion() {
        #expect(String(cString: zlibVersion()).hasPrefix("1."))
    }

    @Test func sqliteOpensAnInMemoryDatabase() {
        var db: OpaquePointer?
        #expect(sqlite3_open(":memory:", &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)
    }

    @Test func libcurlSupportsAWSSigV4() {
        // CURLOPT_AWS_SIGV4 arrived in libcurl 7.75; Debian 12 ships 7.88.
        let info = curl_version_info(CURLVERSION_TENTH).pointee
        #expect(info.version_num >= 0x074B00)
        #expect(String(cString: curl_version()).contains("OpenSSL"))
    }

    @Test func libcryptoComputesMD5() {
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        #expect(EVP_DigestInit_ex(context, EVP_md5(), nil) == 1)
        #expect(EVP_DigestFinal_ex(context, &out, &length) == 1)
        #expect(out.prefix(Int(length)).map { String(format: "%02x", $0) }.joined() == "d41d8cd98f00b204e9800998ecf8427e")
    }
}
