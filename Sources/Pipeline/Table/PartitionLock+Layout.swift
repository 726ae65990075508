extension PartitionLock {
    /// The lake's lock of `hivePartition` (relative, e.g. `date=2025-10-30`), in `_weir/locks/`.
    /// - Throws: when the lock file cannot be created.
    public convenience init(layout: LakeLayout, hivePartition: String, exclusive: Bool) throws {
        try self.init(directory: layout.lockDirectory, name: hivePartition, exclusive: exclusive)
    }

    /// Runs `body` holding the lock of `hivePartition`.
    public static func with<T>(layout: LakeLayout, hivePartition: String, exclusive: Bool, _ body: () throws -> T) throws -> T {
        let lock = try PartitionLock(layout: layout, hivePartition: hivePartition, exclusive: exclusive)
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }
}
