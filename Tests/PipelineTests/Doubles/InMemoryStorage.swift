import Foundation
@testable import Pipeline

/// `Storage` in a dictionary: what an object store offers (create-only puts, copy-then-delete publish, one-level
/// listing, leases) with no file system at all. Shows that the table commit needs nothing POSIX.
final class InMemoryStorage: Storage, @unchecked Sendable {
    private let lock = NSLock()
    private var objects: [String: [UInt8]] = [:]
    private var claimed: [String: Bool] = [:]  // prefix → alive
    private(set) var publishes = 0
    private(set) var locksTaken = 0
    /// Ranged reads served, whole-object gets served, and the names overwritten, in order.
    private(set) var reads = 0
    private(set) var gets = 0
    private(set) var bytesRead: Int64 = 0
    private(set) var overwrites: [String] = []
    /// Called after every change (an object finished, published, overwritten or deleted) with a description; a
    /// test uses it to look at the objects between any two steps of a sequence, as a racing reader would.
    var onChange: ((String) -> Void)?
    /// Makes an operation fail (`StorageError.io`) when it returns true for (operation, name): `publish`,
    /// `overwrite`, `delete`, `put` — a crash at that point, as far as the caller can tell.
    var refuse: ((String, String) -> Bool)?

    private func check(_ operation: String, _ name: String) throws {
        if let refuse, refuse(operation, name) { throw StorageError(.io, "injected failure: \(operation) \(name)") }
    }
    private var modifiedAt: [String: Int64] = [:]

    /// Every object's name, sorted.
    var names: [String] { lock.withLock { objects.keys.sorted() } }

    func create(_ name: String) throws -> StorageWriter {
        try lock.withLock {
            guard objects[name] == nil else { throw StorageError(.exists, "\(name) exists already") }
        }
        return Upload(name: name, storage: self)
    }

    fileprivate func finishUpload(_ name: String, bytes: [UInt8]) throws {
        try check("put", name)
        defer { onChange?("put " + name) }
        try lock.withLock {
            guard objects[name] == nil else { throw StorageError(.exists, "\(name) exists already") }
            objects[name] = bytes
            modifiedAt[name] = Int64(Date().timeIntervalSince1970)
        }
    }

    /// What a reader listing `prefix` and reading every listed object would see now: name → bytes (nil when gone).
    func snapshot(under prefix: String) -> [String: [UInt8]] {
        lock.withLock { objects.filter { $0.key.hasPrefix(prefix) } }
    }

    func get(_ name: String) throws -> [UInt8]? {
        lock.withLock {
            gets += 1
            bytesRead += Int64(objects[name]?.count ?? 0)
            return objects[name]
        }
    }

    func exists(_ name: String) -> Bool {
        lock.withLock { objects[name] != nil || objects.keys.contains { name.isEmpty || $0.hasPrefix(name + "/") } || claimed[name] != nil }
    }

    func info(_ name: String) throws -> StorageObjectInfo? {
        lock.withLock { objects[name].map { StorageObjectInfo(size: Int64($0.count), modifiedAt: modifiedAt[name] ?? 0) } }
    }

    func read(_ name: String, range: Range<Int64>) throws -> [UInt8] {
        try lock.withLock {
            guard let bytes = objects[name] else { throw StorageError(.notFound, "\(name) does not exist") }
            reads += 1
            bytesRead += max(0, min(range.upperBound, Int64(bytes.count)) - min(range.lowerBound, Int64(bytes.count)))
            let lower = min(Int(range.lowerBound), bytes.count), upper = min(Int(range.upperBound), bytes.count)
            return Array(bytes[lower..<upper])
        }
    }

    func overwrite(_ name: String, bytes: [UInt8]) throws {
        try check("overwrite", name)
        lock.withLock {
            objects[name] = bytes
            modifiedAt[name] = Int64(Date().timeIntervalSince1970)
            overwrites.append(name)
        }
        onChange?("overwrite " + name)
    }

    func list(_ prefix: String) throws -> [String] {
        lock.withLock {
            let start = prefix.isEmpty ? "" : prefix + "/"
            var children = Set<String>()
            for name in Array(objects.keys) + Array(claimed.keys) where name.hasPrefix(start) {
                children.insert(String(name.dropFirst(start.count).split(separator: "/", maxSplits: 1)[0]))
            }
            return children.sorted()
        }
    }

    func delete(_ name: String) throws {
        try check("delete", name)
        defer { onChange?("delete " + name) }
        lock.withLock {
            objects[name] = nil
            for key in objects.keys where key.hasPrefix(name + "/") { objects[key] = nil }
            claimed[name] = nil  // a deleted prefix is no longer claimed, whether or not its lease is still held
        }
    }

    func publish(_ source: String, to destination: String) throws {
        try check("publish", destination)
        defer { onChange?("publish " + destination) }
        try lock.withLock {
            guard let bytes = objects[source] else { throw StorageError(.notFound, "\(source) does not exist") }
            guard objects[destination] == nil else { throw StorageError(.exists, "\(destination) exists already") }
            objects[destination] = bytes  // copy with If-None-Match: *, then delete the source
            objects[source] = nil
            publishes += 1
        }
    }

    func sync(_ prefix: String) throws {}

    func claim(_ prefix: String) throws -> StorageLease {
        try lock.withLock {
            guard claimed[prefix] == nil else { throw StorageError(.exists, "\(prefix) is claimed already") }
            claimed[prefix] = true
        }
        return Lease(prefix: prefix, storage: self)
    }

    func takeOver(_ prefix: String) throws -> StorageLease? {
        lock.withLock {
            guard claimed[prefix] == false else { return nil }
            claimed[prefix] = true
            return Lease(prefix: prefix, storage: self)
        }
    }

    func withLock<T>(_ name: String, exclusive: Bool, _ body: () throws -> T) throws -> T {
        lock.withLock { locksTaken += 1 }
        return try body()
    }

    /// The writer of a claimed prefix died: its lease is gone, its objects stay.
    fileprivate func release(_ prefix: String) {
        lock.withLock { if claimed[prefix] == true { claimed[prefix] = false } }
    }

    /// Puts an object directly, as another writer (or an interrupted publish) would have.
    func inject(_ name: String, bytes: [UInt8]) { lock.withLock { objects[name] = bytes } }

    private final class Upload: StorageWriter {
        let name: String
        let storage: InMemoryStorage
        var bytes: [UInt8] = []
        var position: Int64 { Int64(bytes.count) }

        init(name: String, storage: InMemoryStorage) {
            self.name = name
            self.storage = storage
        }

        func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
        func finish(durable: Bool) throws { try storage.finishUpload(name, bytes: bytes) }
    }

    private final class Lease: StorageLease, @unchecked Sendable {
        let prefix: String
        let storage: InMemoryStorage

        init(prefix: String, storage: InMemoryStorage) {
            self.prefix = prefix
            self.storage = storage
        }

        deinit { storage.release(prefix) }
    }
}
