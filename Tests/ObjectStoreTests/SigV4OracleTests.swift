import Foundation
import Testing
import WeirTestSupport
@testable import ObjectStore

/// libcurl signs; botocore (an independent SigV4 implementation) re-signs the captured request and must produce
/// the same Authorization header. The listener is `testdata/oracles/sigv4_listener.py` on a loopback port.
@Suite struct SigV4OracleTests {
    @Test func everyOperationsSignatureMatchesBotocore() throws {
        let credentials = AWSCredentials(accessKeyId: "AKIDWEIRORACLE", secretAccessKey: "oracle/Secret+Key=123",
                                         sessionToken: "session-token/with+chars=")
        let operations = 10
        let listener = try OracleListener(count: operations, credentials: credentials)
        defer { listener.stop() }
        let configuration = S3Configuration(bucket: "weir-lake", endpoint: "http://127.0.0.1:\(listener.port)",
                                            region: "eu-central-1", stallTimeout: .seconds(20),
                                            retry: RetryPolicy(maxAttempts: 1))
        let client = try S3Client(configuration: configuration, credentials: credentials)
        let dir = try TemporaryDirectory()
        try dir.write("part.bin", String(repeating: "parquet bytes ", count: 1000))
        let key = "date=2026-12-06/a b+c&d~é.parquet"

        _ = try client.putObject(key: key, body: .bytes(Array("small body".utf8)), createOnly: true)
        _ = try client.putObject(key: "file", body: try .file(atPath: dir.path("part.bin")), createOnly: false)
        _ = try client.getObject(key: key, range: ByteRange(offset: 0, count: 5))
        _ = try client.headObject(key: key)
        _ = try client.listObjects(prefix: "date=2026/x y", delimiter: "/", startAfter: "a=b", maxKeys: 7)
        _ = try client.listObjects(prefix: "", continuationToken: "tok/1+=", maxKeys: 1000)
        try client.deleteObjects(keys: ["k1", "a&b <c>"])
        _ = try client.copyObject(from: key, to: "copy/of it", createOnly: true)
        _ = try client.createMultipartUpload(key: key)
        try client.deleteObject(key: key)

        let results = try listener.results()
        #expect(results.count == operations)
        for result in results {
            #expect(result.problems.isEmpty, "\(result.method) \(result.path): \(result.problems)")
            #expect(result.signed.contains("x-amz-security-token"), "\(result.method) \(result.path)")
        }
        // The requests went where they were meant to: path-style, encoded once, query sorted.
        let paths = results.map(\.path)
        #expect(paths.contains("/weir-lake/date%3D2026-12-06/a%20b%2Bc%26d~%C3%A9.parquet"))
        #expect(paths.contains("/weir-lake/?delimiter=%2F&list-type=2&max-keys=7&prefix=date%3D2026%2Fx%20y&start-after=a%3Db"))
        #expect(paths.contains("/weir-lake/?delete="))
    }
}

/// The Python listener process: its port, then its verdicts.
final class OracleListener {
    struct Verdict: Decodable {
        var method: String
        var path: String
        var signed: [String]
        var problems: [String]
    }

    let process = Process()
    let port: Int
    private let output = Pipe()
    private let errorPath: URL
    private var buffered = Data()

    init(count: Int, credentials: AWSCredentials) throws {
        process.executableURL = URL(fileURLWithPath: PythonOracle.python)
        process.arguments = ["-W", "ignore",
                             PythonOracle.repoRoot.appendingPathComponent("testdata/oracles/sigv4_listener.py").path,
                             String(count), credentials.accessKeyId, credentials.secretAccessKey,
                             credentials.sessionToken ?? ""]
        errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("weir-sigv4-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorPath.path, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorPath)
        try process.run()
        var portLine = Data()
        while !portLine.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            portLine.append(chunk)
        }
        let newline = portLine.firstIndex(of: 0x0A) ?? portLine.endIndex
        guard let port = Int(String(decoding: portLine[..<newline], as: UTF8.self)) else {
            let stderr = (try? String(contentsOf: errorPath, encoding: .utf8)) ?? ""
            throw OracleFailure("sigv4_listener.py did not print its port: \(stderr.suffix(2000))")
        }
        self.port = port
        buffered = portLine.count > newline ? Data(portLine[(newline + 1)...]) : Data()
    }

    /// Waits for the listener to finish and returns one verdict per request.
    func results() throws -> [Verdict] {
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitForExit()
        let text = String(decoding: buffered + rest, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errorPath, encoding: .utf8)) ?? ""
            throw OracleFailure("sigv4_listener.py exited \(process.terminationStatus): \(stderr.suffix(3000))\n\(text)")
        }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Verdict.self, from: Data($0.utf8)) }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitForExit() }
        try? FileManager.default.removeItem(at: errorPath)
    }
}
