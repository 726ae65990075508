/// Sorts values ordered by a well-mixed 64-bit hash (the filter probes' `KeyProbe.h1`) in about two passes: one
/// counting how many values fall in each of ~n buckets chosen by the hash's top bits, one moving them to their
/// bucket, then a sort of each bucket, which holds one or two values when the hashes are uniform.
///
/// Every dedup lookup and every commit's check sorts its probes into filter-block order; with the standard
/// library's merge sort that was 2.8% of `weir run`'s CPU (bench/profile, 1M events). Hashes that crowd into few
/// buckets cost no more than that sort: a bucket of more than `insertionLimit` values is sorted by the standard
/// library. Not for `DedupKey` order: FNV-1a leaves the top bits of similar ids (`e1`, `e2`, …) nearly equal.
enum HashBucketSort {
    /// Below this many values the standard library's sort is used as it is.
    static let minimumCount = 256
    /// Buckets up to this size are sorted by insertion.
    static let insertionLimit = 12

    /// Sorts `values` by `areInIncreasingOrder`, which must agree with `hash`: `hash(a) < hash(b)` implies `a`
    /// sorts before `b`. Stable.
    static func sort<Element>(_ values: inout [Element], hash: (Element) -> UInt64,
                              by areInIncreasingOrder: (Element, Element) -> Bool) {
        let n = values.count
        guard n >= minimumCount else {
            values.sort(by: areInIncreasingOrder)
            return
        }
        // About one bucket per value, at most 2^20 (8 MiB of counts).
        let bits = Swift.min(20, Int.bitWidth - n.leadingZeroBitCount)
        let shift = UInt64(64 - bits)
        var starts = [Int](repeating: 0, count: (1 << bits) + 1)
        for value in values { starts[Int(hash(value) >> shift) + 1] += 1 }
        for b in 1..<starts.count { starts[b] += starts[b - 1] }
        var next = starts
        let sorted = [Element](unsafeUninitializedCapacity: n) { out, count in
            for value in values {
                let b = Int(hash(value) >> shift)
                (out.baseAddress! + next[b]).initialize(to: value)
                next[b] += 1
            }
            count = n
        }
        values = sorted
        values.withUnsafeMutableBufferPointer { buffer in
            for b in 0..<(starts.count - 1) {
                let lower = starts[b], upper = starts[b + 1]
                guard upper - lower > 1 else { continue }
                if upper - lower <= insertionLimit {
                    for i in (lower + 1)..<upper {
                        let value = buffer[i]
                        var j = i
                        while j > lower && areInIncreasingOrder(value, buffer[j - 1]) {
                            buffer[j] = buffer[j - 1]
                            j -= 1
                        }
                        buffer[j] = value
                    }
                } else {
                    buffer[lower..<upper].sort(by: areInIncreasingOrder)
                }
            }
        }
    }
}
