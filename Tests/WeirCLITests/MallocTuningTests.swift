import CMalloc
import Foundation
import Testing
@testable import WeirCLI

/// `MallocTuning`'s fixed mmap threshold (issue 21, peak RSS at 5M events): with glibc's dynamic threshold, a
/// freed 16 MiB mapped block (the size of a dedup lookup table) raises the threshold to 16 MiB, and later
/// multi-MiB buffers come from arenas, which keep them after they are freed. Also the generator's reserved
/// replay memory.
@Suite struct MallocTuningTests {
    /// The settings `weir` makes at startup, each unless the environment names it (glibc reads those itself).
    /// The calls are recorded instead of made: whether glibc then maps a block depends on what else the test
    /// process freed into its arenas, so the effect is measured by bench/scale (docs/BENCHMARKS.md), not here.
    @Test func theThresholdIsFixedAndTheArenasCappedUnlessTheEnvironmentSaysOtherwise() {
        func calls(_ environment: [String: String]) -> [[Int32]] {
            var made: [[Int32]] = []
            MallocTuning.apply(environment: environment) { option, value in made.append([option, value]); return 1 }
            return made
        }
        let arenas = Int32(max(2, ProcessInfo.processInfo.activeProcessorCount))
        #expect(calls([:]) == [[M_ARENA_MAX, arenas], [M_MMAP_THRESHOLD, 1 << 20]])
        #expect(calls(["MALLOC_MMAP_THRESHOLD_": "131072"]) == [[M_ARENA_MAX, arenas]])
        #expect(calls(["MALLOC_ARENA_MAX": "8"]) == [[M_MMAP_THRESHOLD, 1 << 20]])
    }

    @Test func reservingTheGeneratorsReplayMemoryKeepsItsEvents() {
        var plain = Pi2EventGenerator(seed: 5)
        var reserved = Pi2EventGenerator(seed: 5)
        reserved.reserve(lines: 1_000)
        #expect((0..<3_000).map { _ in plain.nextLine() } == (0..<3_000).map { _ in reserved.nextLine() })
    }
}
