import Foundation
import Testing

/// A Python user can talk to `weir broker` with the lines the README gives (issue 16): kafka-python 3.x with
/// `api_version=(2, 3)` produces, confluent-kafka consumes, every record reaches every partition.
@Suite(.serialized) struct BrokerClientTests {
    @Test(.timeLimit(.minutes(10)))
    func kafkaPythonProducesToWeirBrokerWithTheReadmeLine() async throws {
        let readme = try String(contentsOfFile: RepoPaths.root + "/README.md", encoding: .utf8)
        #expect(readme.contains("KafkaProducer(bootstrap_servers=BOOTSTRAP, api_version=(2, 3))"),
                "the README gives the line this test checks")
        let broker = try ChildProcess(RepoPaths.weir, ["broker", "--topic", "py:4"])
        defer { broker.kill(SIGTERM) }
        let bootstrap = try await broker.firstLine("weir broker")
        let (status, out, err) = try await ChildProcess.run(
            RepoPaths.python, [RepoPaths.oracle("kafka_python_client.py"), bootstrap, "py", "200"], timeout: .seconds(240))
        #expect(status == 0, "kafka_python_client.py failed: \(out)\n\(err.suffix(3000))")
        struct Result: Decodable { let produced: Int; let consumed: Int; let partitions: [Int] }
        let result = try JSONDecoder().decode(Result.self, from: Data(out.utf8))
        #expect(result.produced == 200)
        #expect(result.consumed == 200)
        #expect(result.partitions == [0, 1, 2, 3])
    }
}
