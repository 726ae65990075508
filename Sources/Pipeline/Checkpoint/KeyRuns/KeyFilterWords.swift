import Foundation

/// The words of a `KeyFilter`, 64-byte aligned so that each 512-bit block is one cache line. (A Swift array's
/// elements start 32 bytes into its allocation, which put every block across two lines: two cache misses per
/// probe of a filter larger than the cache.) Storage of 4 MiB or more is 2 MiB aligned and asked for transparent
/// huge pages (`madvise` mode) before it is first written: a probe reads one random cache line, and with 4 KiB
/// pages most probes of a large filter would also miss the TLB.
///
/// A reference type that `KeyFilter` copies before writing when it is shared.
final class KeyFilterWords: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<UInt64>

    private static let cacheLine = 64
    private static let hugePage = 2 << 20
    /// Storage at least this large (bytes) gets huge pages.
    private static let hugePageThreshold = 2 * hugePage

    /// `count` words initialized by `fill` (which must initialize all of them).
    init(count: Int, fill: (UnsafeMutableBufferPointer<UInt64>) -> Void) {
        let bytes = count * MemoryLayout<UInt64>.stride
        let huge = bytes >= Self.hugePageThreshold
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge ? Self.hugePage : Self.cacheLine)
        if huge {
            _ = madvise(raw, bytes & ~(Self.hugePage - 1), 14)  // MADV_HUGEPAGE; advisory, ignored where unsupported
        }
        buffer = UnsafeMutableBufferPointer(start: raw.bindMemory(to: UInt64.self, capacity: count), count: count)
        fill(buffer)
    }

    /// `count` zero words.
    convenience init(zeros count: Int) {
        self.init(count: count) { $0.initialize(repeating: 0) }
    }

    func copy() -> KeyFilterWords {
        KeyFilterWords(count: buffer.count) { _ = $0.initialize(fromContentsOf: buffer) }
    }

    deinit { buffer.deallocate() }
}
