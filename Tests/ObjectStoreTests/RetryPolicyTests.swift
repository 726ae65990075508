import Foundation
import Testing
@testable import ObjectStore

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(1))

    @Test func backoffDoublesWithJitterInTheUpperHalfAndIsCapped() {
        // Step before attempt n is min(1 s, 100 ms · 2^(n-2)); the wait lies in [step/2, step).
        let steps: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                                 .seconds(1), .seconds(1)]
        for (index, step) in steps.enumerated() {
            let attempt = index + 2
            #expect(policy.delay(beforeAttempt: attempt, random: 0) == step / 2)
            #expect(policy.delay(beforeAttempt: attempt, random: 0.5) == step / 2 + step / 4)
            #expect(policy.delay(beforeAttempt: attempt, random: 0.999_999_9) < step)
        }
    }

    @Test func retryableOutcomesAreRetriedUntilTheAttemptsAreUsedUp() {
        let retryable: [AttemptOutcome] = [
            .response(status: 500, code: "InternalError"), .response(status: 502, code: nil),
            .response(status: 503, code: "SlowDown"), .response(status: 429, code: nil),
            .response(status: 400, code: "RequestTimeout"), .response(status: 200, code: "InternalError"),
            .response(status: 409, code: "ConditionalRequestConflict"),
            .transport(.timeout), .transport(.connect), .transport(.broken),
        ]
        for outcome in retryable {
            #expect(policy.decision(after: outcome, attempt: 1, random: 0) == .retry(after: .milliseconds(50)), "\(outcome)")
            #expect(policy.decision(after: outcome, attempt: 4, random: 0) == .retry(after: .milliseconds(400)), "\(outcome)")
            #expect(policy.decision(after: outcome, attempt: 5, random: 0) == .giveUp, "\(outcome)")
        }
    }

    @Test func clientErrorsAndTLSFailuresAreNotRetried() {
        let final: [AttemptOutcome] = [
            .response(status: 403, code: "SignatureDoesNotMatch"), .response(status: 404, code: "NoSuchBucket"),
            .response(status: 412, code: "PreconditionFailed"), .response(status: 400, code: "InvalidArgument"),
            .transport(.tls), .transport(.local), .transport(.other),
        ]
        for outcome in final {
            #expect(policy.decision(after: outcome, attempt: 1, random: 0.3) == .fail, "\(outcome)")
        }
    }

    @Test func throttlingIsRecognised() {
        #expect(AttemptOutcome.response(status: 503, code: "SlowDown").isThrottle)
        #expect(AttemptOutcome.response(status: 429, code: nil).isThrottle)
        #expect(!AttemptOutcome.response(status: 500, code: "InternalError").isThrottle)
    }

    @Test func curlCodesMapToTransportKinds() {
        #expect(TransportFailureKind(curlCode: 7) == .connect)       // CURLE_COULDNT_CONNECT
        #expect(TransportFailureKind(curlCode: 6) == .connect)       // CURLE_COULDNT_RESOLVE_HOST
        #expect(TransportFailureKind(curlCode: 28) == .timeout)      // CURLE_OPERATION_TIMEDOUT
        #expect(TransportFailureKind(curlCode: 52) == .broken)       // CURLE_GOT_NOTHING
        #expect(TransportFailureKind(curlCode: 56) == .broken)       // CURLE_RECV_ERROR
        #expect(TransportFailureKind(curlCode: 60) == .tls)          // CURLE_PEER_FAILED_VERIFICATION
        #expect(TransportFailureKind(curlCode: 77) == .tls)          // CURLE_SSL_CACERT_BADFILE
        #expect(TransportFailureKind(curlCode: 26) == .local)        // CURLE_READ_ERROR
        #expect(TransportFailureKind(curlCode: 3) == .other)         // CURLE_URL_MALFORMAT
    }

    /// The client's loop, with an injected sleep and random source: a closed port fails every attempt with
    /// "could not connect", so the client sleeps between attempts exactly as the policy says, then reports a
    /// typed error naming the endpoint and bucket.
    @Test func clientSleepsThePolicysDelaysAndReportsTheAttempts() throws {
        let port = try closedPort()
        let slept = SleepRecorder()
        let configuration = S3Configuration(bucket: "lake", endpoint: "http://127.0.0.1:\(port)",
                                            retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10)))
        let client = try S3Client(configuration: configuration, credentials: nil,
                                  sleep: { slept.append($0) }, random: { 0.5 })
        let error = #expect(throws: S3Error.self) { try client.listObjects() }
        #expect(error?.kind == .unreachable)
        #expect(error?.attempts == 4)
        #expect(slept.values == [.microseconds(7500), .milliseconds(15), .milliseconds(30)])
        let text = error?.description ?? ""
        #expect(text.hasPrefix("weir: S3 ListObjectsV2 s3://lake/ at http://127.0.0.1:\(port) failed"))
        #expect(text.contains("after 4 attempts"))
    }
}

/// Records the waits a client asks for instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []
    func append(_ duration: Duration) { lock.lock(); recorded.append(duration); lock.unlock() }
    var values: [Duration] { lock.lock(); defer { lock.unlock() }; return recorded }
}

/// A loopback port nothing listens on (bound, read, released).
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
