import Testing
@testable import WeirCLI

/// The generator's reserved replay memory (peak RSS of `weir simulate`, issue 21) does not change its events.
@Suite struct GeneratorReserveTests {
    @Test func reservingTheGeneratorsReplayMemoryKeepsItsEvents() {
        var plain = Pi2EventGenerator(seed: 5)
        var reserved = Pi2EventGenerator(seed: 5)
        reserved.reserve(lines: 1_000)
        #expect((0..<3_000).map { _ in plain.nextLine() } == (0..<3_000).map { _ in reserved.nextLine() })
    }
}
