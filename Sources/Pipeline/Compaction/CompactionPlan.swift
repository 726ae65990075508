/// Which files of one partition are merged together: the pure part of compaction (no disk, no clock).
///
/// Files the store knows as published and smaller than `largeFraction × targetBytes` are candidates; in the
/// given (listing) order they are packed greedily into bins of at most `targetBytes` (a file larger than the
/// remaining room starts a new bin; a bin always takes at least one file). Bins of one file are dropped: there is
/// nothing to merge. Everything else — large files, files the store does not know — is carried over as it is.
public struct CompactionPlan: Sendable, Equatable {
    /// One file of the partition as compaction sees it.
    public struct Candidate: Sendable, Equatable {
        public let name: String
        /// On-disk size in bytes.
        public let bytes: Int64
        /// Whether the store lists it as a published lake file (only those are merged).
        public let published: Bool

        public init(name: String, bytes: Int64, published: Bool) {
            self.name = name
            self.bytes = bytes
            self.published = published
        }
    }

    /// File names per merge, in listing order; each holds at least two files.
    public let bins: [[String]]

    /// Plans the merges of `files` (listing order).
    /// - Parameters:
    ///   - targetBytes: the most input bytes per merged output (`--target-size`), > 0.
    ///   - largeFraction: files at or above this fraction of `targetBytes` are left alone, in 0...1.
    public init(files: [Candidate], targetBytes: Int64, largeFraction: Double) {
        let small = files.filter { $0.published && $0.bytes < Int64(Double(targetBytes) * largeFraction) }
        var bins: [[Candidate]] = []
        var current: [Candidate] = []
        var currentBytes: Int64 = 0
        for c in small {
            if !current.isEmpty && currentBytes + c.bytes > targetBytes {
                bins.append(current)
                current = []
                currentBytes = 0
            }
            current.append(c)
            currentBytes += c.bytes
        }
        if !current.isEmpty { bins.append(current) }
        self.bins = bins.filter { $0.count >= 2 }.map { $0.map(\.name) }
    }

    /// Nothing to merge.
    public var isEmpty: Bool { bins.isEmpty }
}
