import ArgumentParser

/// The generated-events flags shared by `weir demo`, `weir simulate` and `weir produce`. The defaults match
/// `shared/baselines/gen_events.py`: 10% invalid events, 5% duplicates.
struct GeneratorOptions: ParsableArguments {
    @Option(name: .long, help: "Generator seed (same seed, same events).")
    var seed: UInt64 = 42
    @Option(name: .long, help: "Fraction of invalid events (0…1).")
    var invalidRatio: Double = 0.10
    @Option(name: .long, help: "Fraction of duplicates, replays of earlier valid events (0…1).")
    var duplicateRatio: Double = 0.05
    @Option(name: .long, help: ArgumentHelp(
        "Event ids: random (e + 18 random-looking digits, unique, the same for the same seed) or sequential (e0, e1, …).",
        valueName: "random|sequential"))
    var ids: EventIDStyle = .random

    func validate() throws {
        guard (0...1).contains(invalidRatio), (0...1).contains(duplicateRatio), invalidRatio + duplicateRatio <= 1 else {
            throw ValidationError("--invalid-ratio and --duplicate-ratio must be in 0…1 and sum to at most 1")
        }
    }

    /// A generator with these settings, its timestamps spread over `days` UTC days.
    func generator(days: Int = 3) -> Pi2EventGenerator {
        Pi2EventGenerator(seed: seed, invalidRatio: invalidRatio, duplicateRatio: duplicateRatio, days: days, idStyle: ids)
    }
}

extension EventIDStyle: ExpressibleByArgument {}
