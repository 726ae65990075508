import Foundation
import Testing
@testable import Kafka

/// The repository root (…/Tests/KafkaTests/OracleTests.swift → …).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The Python interpreter with kafka-python: `$WEIR_PYTHON`, else `<repo>/.venv/bin/python`.
var oraclePython: String? {
    if let p = ProcessInfo.processInfo.environment["WEIR_PYTHON"] { return p }
    let p = repositoryRoot.appendingPathComponent(".venv/bin/python").path
    return FileManager.default.isExecutableFile(atPath: p) ? p : nil
}

@Suite("Independent oracle (kafka-python)")
struct OracleTests {
    struct Produced: Decodable, Hashable {
        let partition: Int32
        let offset: Int64
        let value: String
    }

    @Test("records produced by kafka-python are consumed exactly")
    func kafkaPythonProducer() async throws {
        let cluster = try Support.cluster(topic: "oracle", partitions: 4)
        defer { cluster.shutdown() }
        let n = 10_000
        let proc = Process()
        let python = try #require(oraclePython, "no Python with kafka-python: run scripts/setup (or set WEIR_PYTHON)")
        proc.executableURL = URL(fileURLWithPath: python)
        proc.arguments = [repositoryRoot.appendingPathComponent("testdata/oracles/kafka_produce.py").path,
                          "--bootstrap", cluster.bootstrapServers, "--topic", "oracle", "--count", String(n)]
        // Output to files, and an exit awaited by polling: blocking on a pipe would hold one of the cooperative
        // pool's few threads (two on a 2-core machine) for the whole run and starve the tests beside it.
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-produce-\(UUID().uuidString)").path
        defer { for p in [outPath, outPath + ".err"] { try? FileManager.default.removeItem(atPath: p) } }
        for p in [outPath, outPath + ".err"] { _ = FileManager.default.createFile(atPath: p, contents: nil) }
        proc.standardOutput = FileHandle(forWritingAtPath: outPath)
        proc.standardError = FileHandle(forWritingAtPath: outPath + ".err")
        try proc.run()
        while proc.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        let data = FileManager.default.contents(atPath: outPath) ?? Data()
        let stderr = String(decoding: FileManager.default.contents(atPath: outPath + ".err") ?? Data(), as: UTF8.self)
        #expect(proc.terminationStatus == 0, "kafka_produce.py failed:\n\(stderr.suffix(3000))")
        let produced = try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Produced.self, from: Data($0.utf8))
        }
        try #require(produced.count == n)
        #expect(Set(produced.map(\.partition)).count == 4)

        let consumer = try KafkaConsumer(config: Support.consumerConfig(cluster.bootstrapServers, group: "oracle-g"))
        try consumer.subscribe(["oracle"])
        let recs = try await Support.consume(consumer, count: n)
        await consumer.close()
        let consumed = recs.map { Produced(partition: $0.partition, offset: $0.offset,
                                           value: String(decoding: $0.value ?? [], as: UTF8.self)) }
        #expect(consumed.count == n)
        #expect(Set(consumed) == Set(produced))
    }
}
