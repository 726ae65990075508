import Foundation
import Testing

/// librdkafka's C API is used only in `Sources/Kafka/Wrappers/` (issue 17): every other folder of every target
/// speaks Swift. A source scan, so a direct call added anywhere else fails here before review.
@Suite struct WrapperConfinementTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources").path
    /// Where the C API may appear: the wrappers, and the system-library shim itself.
    static let allowed = ["Kafka/Wrappers/", "CRdKafka/"]
    /// librdkafka's functions and types (`rd_kafka_…`), its constants (`RD_KAFKA_…`), and the shim module.
    static let markers = ["rd_kafka_", "RD_KAFKA_", "import CRdKafka"]

    /// `file:line: text` of every code line outside the wrappers that uses librdkafka's C API (comments ignored).
    static func violations() throws -> [String] {
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: sources)
        while let rel = enumerator?.nextObject() as? String {
            guard rel.hasSuffix(".swift"), !allowed.contains(where: { rel.hasPrefix($0) }) else { continue }
            let text = try String(contentsOfFile: sources + "/" + rel, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.range(of: "//").map { line[..<$0.lowerBound] } ?? line[...]
                if markers.contains(where: { code.contains($0) }) { found.append("\(rel):\(n + 1): \(line.trimmingCharacters(in: .whitespaces))") }
            }
        }
        return found.sorted()
    }

    @Test func librdkafkaIsCalledOnlyFromTheWrappers() throws {
        let violations = try Self.violations()
        #expect(violations.isEmpty, "librdkafka used outside Sources/Kafka/Wrappers/ (move the call into a wrapper):\n\(violations.joined(separator: "\n"))")
    }

    /// The scan sees the files it should: the wrappers do call librdkafka, so an empty scan is not vacuous.
    @Test func theScanFindsTheWrappersCalls() throws {
        let wrappers = Self.sources + "/Kafka/Wrappers/RDKafkaClient.swift"
        #expect(try String(contentsOfFile: wrappers, encoding: .utf8).contains("rd_kafka_destroy"))
        #expect(FileManager.default.fileExists(atPath: Self.sources + "/Kafka/Connectivity/BrokerProbe.swift"))
    }
}
