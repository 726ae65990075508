import CMalloc
import Testing
@testable import WeirCLI

/// `MallocTuning`'s fixed mmap threshold (issue 21, peak RSS at 5M events): with glibc's dynamic threshold, a
/// freed 16 MiB mapped block (the size of a dedup lookup table) raises the threshold to 16 MiB, and later
/// multi-MiB buffers come from arenas, which keep them after they are freed.
@Suite struct MallocTuningTests {
    /// glibc's IS_MMAPPED flag in the size word before a block: set when the block is a mapping of its own.
    static func isMapped(_ block: UnsafeMutableRawPointer) -> Bool {
        block.load(fromByteOffset: -MemoryLayout<Int>.size, as: UInt.self) & 2 != 0
    }

    @Test func blocksAboveTheThresholdStayMappedAfterALargerOneIsFreed() throws {
        MallocTuning.apply(environment: [:])
        let large = try #require(malloc(16 << 20))
        large.initializeMemory(as: UInt8.self, repeating: 1, count: 16 << 20)
        free(large)
        let size = 2 * Int(MallocTuning.mmapThreshold)
        let block = try #require(malloc(size))
        defer { free(block) }
        #expect(Self.isMapped(block), "a \(size)-byte block came from an arena after a 16 MiB block was freed")
    }

    @Test func reservingTheGeneratorsReplayMemoryKeepsItsEvents() {
        var plain = Pi2EventGenerator(seed: 5)
        var reserved = Pi2EventGenerator(seed: 5)
        reserved.reserve(lines: 1_000)
        #expect((0..<3_000).map { _ in plain.nextLine() } == (0..<3_000).map { _ in reserved.nextLine() })
    }
}
