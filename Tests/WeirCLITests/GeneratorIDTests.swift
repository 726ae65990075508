import EventSchema
import Testing
@testable import WeirCLI

/// The generator's event ids (issue 21): random-looking by default, so that benchmarks and tests see keys spread
/// like production ids; unique, deterministic per seed, and the old `e0, e1, …` on request.
@Suite struct GeneratorIDTests {
    static func ids(seed: UInt64, count: Int, style: EventIDStyle = .random) -> [String] {
        var generator = Pi2EventGenerator(seed: seed, invalidRatio: 0, duplicateRatio: 0, idStyle: style)
        return (0..<count).map { _ in
            guard case .object(let o)? = try? StrictJSONDecoder().decode(generator.next()), case .string(let id)? = o["event_id"]
            else { return "" }
            return id
        }
    }

    @Test func randomIdsAreEighteenDigitsUniqueAndFollowTheSeed() {
        let a = Self.ids(seed: 7, count: 50_000)
        #expect(a.allSatisfy { $0.count == 19 && $0.first == "e" && $0.dropFirst().allSatisfy(\.isASCII) && $0.dropFirst().allSatisfy(\.isNumber) },
                "\(a.prefix(3))")
        #expect(Set(a).count == a.count, "ids repeat")
        #expect(Self.ids(seed: 7, count: 1_000) == Array(a.prefix(1_000)), "the same seed gives the same ids")
        let other = Set(Self.ids(seed: 8, count: 1_000))
        #expect(other.isDisjoint(with: a), "another seed gives other ids")
        // Spread: leading digits of consecutive events are not clustered (sequential ids share their prefix).
        let leading = Set(a.prefix(1_000).map { $0.dropFirst().prefix(2) })
        #expect(leading.count > 90, "\(leading.count) distinct two-digit prefixes in 1,000 ids")
    }

    @Test func sequentialIdsAreTheOldOnes() {
        #expect(Self.ids(seed: 7, count: 3, style: .sequential) == ["e0", "e1", "e2"])
    }

    @Test func thePermutationIsABijectionThatStaysBelowEighteenDigits() {
        let key = EventIDPermutation.key(seed: 42)
        var seen = Set<UInt64>()
        for i in UInt64(0)..<200_000 {
            let v = EventIDPermutation.permute(i, key: key)
            #expect(v < EventIDPermutation.limit)
            seen.insert(v)
        }
        #expect(seen.count == 200_000)
        // bench/random_ids.py (Python) rewrites gen_events.py's ids with the same permutation: its value for event 0
        // of seed 42, computed there.
        #expect(EventIDPermutation.permute(0, key: key) == 964_222_350_382_978_010)
        // Indexes at the top of the range map inside it too.
        for i in (EventIDPermutation.limit - 1_000)..<EventIDPermutation.limit {
            #expect(EventIDPermutation.permute(i, key: key) < EventIDPermutation.limit)
        }
    }

    /// Every valid generated event passes the built-in schema (`^e\d+$`), and invalid ones keep their `x` ids.
    @Test func generatedEventsStillMatchTheSchema() throws {
        let schema = try EventSchema.load(yaml: BuiltInSchema.pi2EventsV1)
        let validator = Validator(schema: schema)
        var generator = Pi2EventGenerator(seed: 3, invalidRatio: 0.10, duplicateRatio: 0.05)
        var valid = 0
        for _ in 0..<5_000 {
            if case .object(let o)? = try? StrictJSONDecoder().decode(generator.next()), validator.validate(o).isValid { valid += 1 }
        }
        #expect(valid == generator.expected.validUnique + generator.expected.duplicates)
    }
}
