import Foundation
import Logging
import Observability
import Testing

/// JSON and text log handlers: shape, flattening, redaction, level resolution.
@Suite struct LoggingTests {
    private func jsonLogger(_ sink: LineSink, level: Logger.Level = .info) -> Logger {
        Logger(label: "weir.test") { label in
            JSONLogHandler(label: label, level: level, output: LogOutput { sink.append($0) })
        }
    }

    @Test func oneJSONObjectPerLineWithFlattenedMetadata() throws {
        let sink = LineSink()
        var logger = jsonLogger(sink)
        logger[metadataKey: "consumer_group"] = "weir"
        logger.info("batch committed", metadata: [
            "batch_id": "b-42", "partition": .stringConvertible(3), "records": .stringConvertible(500),
            "duration_ms": .stringConvertible(12.5), "kafka": ["topic": "events", "offset": .stringConvertible(99)],
            "message": "collides",
        ])
        logger.debug("not emitted")
        logger.warning("line\nbreak \"quoted\"")
        let lines = sink.lines
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasSuffix("\n") && $0.dropLast().contains("\n") == false })
        let first = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["level"] as? String == "info")
        #expect(first["label"] as? String == "weir.test")
        #expect(first["message"] as? String == "batch committed")
        #expect(first["meta_message"] as? String == "collides")
        #expect(first["batch_id"] as? String == "b-42")
        #expect(first["consumer_group"] as? String == "weir")
        #expect(first["partition"] as? Int == 3)
        #expect(first["records"] as? Int == 500)
        #expect(first["duration_ms"] as? Double == 12.5)
        #expect(first["kafka.topic"] as? String == "events")
        #expect(first["kafka.offset"] as? Int == 99)
        let ts = try #require(first["timestamp"] as? String)
        #expect(ts.count == 24 && ts.hasSuffix("Z") && ts.contains("."), "\(ts)")
        #expect(lines[0].hasPrefix(#"{"timestamp":""#))
        let second = try #require(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["message"] as? String == "line\nbreak \"quoted\"")
    }

    @Test func secretsAreRedacted() {
        let sink = LineSink()
        let logger = jsonLogger(sink)
        logger.error("auth failed", metadata: [
            "sasl_password": "hunter2", "kafka": ["sasl.password": "hunter3"], "api_token": "tok-123",
            "payload": #"{"card":"4111"}"#, "user": LogRedaction.redacted,
        ])
        let line = sink.lines.joined()
        for secret in ["hunter2", "hunter3", "tok-123", "4111"] {
            #expect(!line.contains(secret), "\(secret) leaked: \(line)")
        }
        #expect(line.contains(#""user":"[REDACTED]""#))
        #expect(line.contains(#""sasl_password":"[REDACTED]""#))
    }

    @Test func textHandlerIsReadable() {
        let sink = LineSink()
        let logger = Logger(label: "weir.cli") { label in
            TextLogHandler(label: label, level: .info, output: LogOutput { sink.append($0) })
        }
        logger.info("started", metadata: ["topic": "events", "note": "two words", "secret": "x"])
        let line = sink.lines.first ?? ""
        #expect(line.contains(" info    weir.cli: started"))
        #expect(line.contains("topic=events"))
        #expect(line.contains(#"note="two words""#))
        #expect(line.contains("secret=[REDACTED]"))
    }

    @Test func levelAndFormatResolution() {
        #expect(LoggingBootstrap.resolveLevel(explicit: .error, environment: ["WEIR_LOG_LEVEL": "debug"]) == .error)
        #expect(LoggingBootstrap.resolveLevel(explicit: nil, environment: ["WEIR_LOG_LEVEL": "DEBUG"]) == .debug)
        #expect(LoggingBootstrap.resolveLevel(explicit: nil, environment: ["WEIR_LOG_LEVEL": "loud"]) == .info)
        #expect(LoggingBootstrap.resolveLevel(explicit: nil, environment: [:]) == .info)
        #expect(LoggingBootstrap.resolveFormat(.auto, isTTY: true) == .text)
        #expect(LoggingBootstrap.resolveFormat(.auto, isTTY: false) == .json)
        #expect(LoggingBootstrap.resolveFormat(.json, isTTY: true) == .json)
    }
}
