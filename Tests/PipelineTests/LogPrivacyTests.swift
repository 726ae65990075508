import EventSchema
import Foundation
import Logging
import Parquet
import Testing
@testable import Pipeline

/// Logs never carry payloads or event field values (issue 8): the poison corpus runs through the pipeline with
/// every log line captured at trace level, and no value from any payload may appear in them.
@Suite struct LogPrivacyTests {
    @Test func poisonCorpusLogsContainNoPayloadValues() async throws {
        let corpus = try loadPoisonCorpus()
        let h = try Harness("log-privacy")
        let capture = LogCapture()
        var logger = Logger(label: "weir.pipeline", factory: { _ in CapturingLogHandler(capture: capture) })
        logger.logLevel = .trace
        let schema = try EventSchema.load(contentsOf: Paths.schema)
        let committer = try LakeCommitter(layout: h.layout, store: h.store, writerOptions: ParquetWriterOptions())
        let runner = PipelineRunner(config: h.config, source: InMemoryRecordSource(values: corpus.map(\.value)), store: h.store,
                                    committer: committer, deadLetters: FileDeadLetterSink(),
                                    evaluator: RecordEvaluator(schema: schema, config: h.config),
                                    options: .init(untilIdle: .milliseconds(250)), logger: logger)
        try await runner.run()

        let lines = capture.lines
        #expect(!lines.isEmpty, "the run logs something")
        let secrets = Set(corpus.compactMap(\.value).flatMap(Self.values(in:)))
        #expect(secrets.count > 20, "the probe set is meaningful")
        for line in lines {
            for value in secrets { #expect(!line.contains(value), "log line leaks payload value '\(value)': \(line)") }
        }
    }

    /// String values (≥ 4 characters) and numbers (≥ 3 characters) of a payload, or its whole text when it is
    /// not an object.
    static func values(in payload: [UInt8]) -> [String] {
        guard let value = try? StrictJSONDecoder().decode(payload) else {
            let text = String(decoding: payload, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.count >= 6 ? [text] : []
        }
        var out: [String] = []
        func walk(_ v: JSONValue) {
            switch v {
            case .string(let s) where s.count >= 4: out.append(s)
            case .double(let d): let s = JSONWriter.string(.double(d)); if s.count >= 3 { out.append(s) }
            case .int(let n) where String(n).count >= 3: out.append(String(n))
            case .array(let items): items.forEach(walk)
            case .object(let o): for (_, item) in o { walk(item) }
            default: break
            }
        }
        walk(value)
        return out
    }
}

final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    var lines: [String] { lock.withLock { _lines } }
    func append(_ line: String) { lock.withLock { _lines.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
    }
}
