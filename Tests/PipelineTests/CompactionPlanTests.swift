import Testing
@testable import Pipeline

/// The compaction plan alone: which files merge into which, from names, sizes and the store's view. No disk.
@Suite struct CompactionPlanTests {
    typealias File = CompactionPlan.Candidate

    static func files(_ sizes: [Int64], published: Bool = true) -> [File] {
        sizes.enumerated().map { File(name: "f\($0.offset)", bytes: $0.element, published: published) }
    }

    @Test func packsSmallFilesGreedilyUpToTheTarget() {
        let plan = CompactionPlan(files: Self.files([30, 30, 30, 30, 30]), targetBytes: 100, largeFraction: 0.75)
        // 30+30+30 = 90 fits, a fourth would make 120 > 100: a new bin starts.
        #expect(plan.bins == [["f0", "f1", "f2"], ["f3", "f4"]])
    }

    @Test func exactlyTheTargetStillFits() {
        let plan = CompactionPlan(files: Self.files([50, 50, 50]), targetBytes: 100, largeFraction: 0.75)
        #expect(plan.bins == [["f0", "f1"]])
    }

    @Test func largeFilesAreLeftAloneAndDoNotBreakARun() {
        // 75 is at the large threshold (0.75 × 100): carried over; the small files around it still merge.
        let plan = CompactionPlan(files: Self.files([10, 75, 20, 74]), targetBytes: 100, largeFraction: 0.75)
        #expect(plan.bins == [["f0", "f2"]])
    }

    @Test func singleFileBinsAreDropped() {
        #expect(CompactionPlan(files: Self.files([60, 60, 60]), targetBytes: 100, largeFraction: 0.9).isEmpty)
        #expect(CompactionPlan(files: Self.files([10]), targetBytes: 100, largeFraction: 0.75).isEmpty)
        #expect(CompactionPlan(files: [], targetBytes: 100, largeFraction: 0.75).isEmpty)
    }

    @Test func onlyFilesTheStoreKnowsArePlanned() {
        var files = Self.files([10, 10, 10])
        files[1] = File(name: "f1", bytes: 10, published: false)
        #expect(CompactionPlan(files: files, targetBytes: 100, largeFraction: 0.75).bins == [["f0", "f2"]])
        #expect(CompactionPlan(files: Self.files([10, 10], published: false), targetBytes: 100, largeFraction: 0.75).isEmpty)
    }

    @Test func keepsTheListingOrderWithinAndAcrossBins() {
        let names = ["b", "a", "d", "c"]
        let files = names.map { File(name: $0, bytes: 40, published: true) }
        #expect(CompactionPlan(files: files, targetBytes: 80, largeFraction: 0.75).bins == [["b", "a"], ["d", "c"]])
    }
}
