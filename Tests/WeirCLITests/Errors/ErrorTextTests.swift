import Foundation
import Kafka
@testable import Pipeline
import Testing
@testable import WeirCLI

/// The line an operator reads for any error that reaches the top of a command (pure).
@Suite struct ErrorTextTests {
    @Test func everyErrorStartsWithWeirAndGetsItsStatus() {
        #expect(ErrorText.render(ConfigError(key: "lake.flush_rows", message: "must be at least 1", fix: "use 100000"))
                == ("weir: invalid configuration: lake.flush_rows: must be at least 1 (fix: use 100000)", 2))
        #expect(ErrorText.render(StartupError(message: "m", fix: "f")) == ("weir: m (fix: f)", 2))
        let property = KafkaError(code: -2, reason: "invalid configuration x=1: No such configuration property: \"x\"", property: "x",
                                  detail: "No such configuration property: \"x\"")
        #expect(ErrorText.render(property).line.hasPrefix("weir: invalid configuration: kafka.properties.x: No such configuration property"))
        #expect(ErrorText.render(property).status == 2)
        // A source that no longer matches the store (topic recreated, another cluster): only the operator can fix it.
        #expect(ErrorText.render(SourceContinuityCheck.mismatch(SourcePartition(topic: "t", partition: 0), 9, "that partition ends at offset 3")).status == 2)
        #expect(ErrorText.render(PipelineError(message: "m")) == ("weir: m", 1))
        let clock = ErrorText.render(ClockSkew(hostSeconds: 7_300, serverSeconds: 100, store: "postgres://weir@db/lake")!)
        #expect(clock.line.hasPrefix("weir: checkpoint store: this host's clock is 7200 s ahead of PostgreSQL's at postgres://weir@db/lake"))
        #expect(clock.status == 2)
        #expect(ErrorText.render(KafkaError(code: -185, reason: "seek: timed out", isRetriable: true))
                == ("weir: Kafka: seek: timed out (a transient error; running again may succeed)", 1))
    }

    @Test func foundationFileErrorsNameThePathAndTheReason() {
        let denied = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteNoPermission.rawValue,
                             userInfo: [NSFilePathErrorKey: "/lake/date=2025-10-28/part-1.parquet"])
        let (line, status) = ErrorText.render(denied)
        #expect(line.hasPrefix("weir: /lake/date=2025-10-28/part-1.parquet: permission denied (fix: give this user"), "\(line)")
        #expect(status == 1)
        let posix = NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC), userInfo: [NSFilePathErrorKey: "/lake/x"])
        #expect(ErrorText.render(posix).line.contains("/lake/x: no space left on device (fix: free space"), "\(ErrorText.render(posix).line)")
        #expect(!ErrorText.render(posix).line.contains("Domain="))
    }
}
