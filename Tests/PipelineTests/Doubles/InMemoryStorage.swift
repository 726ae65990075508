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

    /// Every object's name, sorted.
    var names: [String] { lock.withLock { objects.keys.sorted() } }

    func create(_ name: String) throws -> StorageWriter {
        try lock.withLock {
            guard objects[name] == nil else { throw StorageError(.exists, "\(name) exists already") }
        }
        return Upload(name: name, storage: self)
    }

    fileprivate func finishUpload(_ name: String, bytes: [UInt8]) throws {
        try lock.withLock {
            guard objects[name] == nil else { throw StorageError(.exists, "\(name) exists already") }
            objects[name] = bytes
        }
    }

    func get(_ name: String) throws -> [UInt8]? { lock.withLock { objects[name] } }

    func exists(_ name: String) -> Bool {
        lock.withLock { objects[name] != nil || objects.keys.contains { $0.hasPrefix(name + "/") } || claimed[name] != nil }
    }

    func list(_ prefix: String) throws -> [String] {
        lock.withLock {
            let start = prefix + "/"
            var children = Set<String>()
            for name in Array(objects.keys) + Array(claimed.keys) where name.hasPrefix(start) {
                children.insert(String(name.dropFirst(start.count).split(separator: "/", maxSplits: 1)[0]))
            }
            return children.sorted()
        }
    }

    func delete(_ name: String) throws {
        lock.withLock {
            objects[name] = nil
            for key in objects.keys where key.hasPrefix(name + "/") { objects[key] = nil }
            claimed[name] = nil  // a deleted prefix is no longer claimed, whether or not its lease is still held
        }
    }

    func publish(_ source: String, to destination: String) throws {
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
