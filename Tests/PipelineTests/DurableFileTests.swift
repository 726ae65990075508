import Foundation
import Testing
import WeirTestSupport
@testable import Pipeline

/// `DurableFile.writeAtomically` with writers of one path running at once in one process (the metrics file is
/// rewritten by a commit and a compaction alike): the file is always one writer's bytes, whole, and no temporary
/// file is left. With one temporary name per process, writers truncated and interleaved each other's bytes and
/// all but one rename failed.
@Suite struct DurableFileTests {
    @Test func concurrentWritersOfOnePathLeaveOneWholeFile() throws {
        let dir = Paths.tempDir("durable")
        defer { TestDirectories.remove(dir) }
        let path = dir + "/metrics.json"
        // Contents of different lengths, each a byte repeated: a torn file mixes bytes or has a foreign length.
        let contents = (0..<16).map { i in [UInt8](repeating: UInt8(ascii: "a") + UInt8(i), count: 40_000 + 9_973 * i) }
        let failures = LockedBox<[String]>([])
        for _ in 0..<10 {
            DispatchQueue.concurrentPerform(iterations: contents.count) { i in
                do { try DurableFile.writeAtomically(contents[i], to: path) } catch {
                    failures.mutate { $0.append("writer \(i): \(error)") }
                }
            }
            let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(contents.contains(written), "a torn file of \(written.count) bytes, starting with \(written.prefix(1))")
        }
        #expect(failures.value.isEmpty, "\(failures.value.prefix(3))")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "metrics.json" }
        #expect(left.isEmpty, "temporary files left: \(left)")
    }
}
