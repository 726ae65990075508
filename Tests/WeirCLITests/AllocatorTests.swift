import Foundation
import Testing
@testable import WeirCLI

/// Weir runs on jemalloc with its own settings (issue 21: glibc's malloc and free were ~14% of `weir run`'s CPU).
/// The test process links WeirCLI like `weir` does, so it runs on the same allocator.
@Suite struct AllocatorTests {
    @Test func jemallocServesTheProcessWithWeirsSettings() throws {
        #expect(AllocatorInfo.description.hasPrefix("jemalloc 5."), "\(AllocatorInfo.description)")
        // jemalloc read the compiled-in settings (its own default is 10,000 ms), unless the environment overrides.
        if ProcessInfo.processInfo.environment["MALLOC_CONF"] == nil {
            #expect(AllocatorInfo.dirtyDecayMilliseconds == 1_000)
        }
    }

    @Test func theVersionLineNamesTheAllocator() {
        #expect(WeirCommand.configuration.version.contains("jemalloc 5."), "\(WeirCommand.configuration.version)")
    }
}
