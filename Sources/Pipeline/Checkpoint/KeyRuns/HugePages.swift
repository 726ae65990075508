import Foundation

/// Transparent huge pages for large in-memory filters.
enum HugePages {
    /// Asks for 2 MiB pages under `buffer`'s whole 2 MiB pages, before it is filled (transparent huge pages in
    /// `madvise` mode): a lookup probes one random cache line per filter, and with 4 KiB pages most of those also
    /// miss the TLB. Advisory; ignored where unsupported.
    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        let huge = 2 << 20
        guard let base = buffer.baseAddress, buffer.count >= 2 * huge else { return }
        let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
        guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(p, end - start, 14)  // MADV_HUGEPAGE
    }
}
