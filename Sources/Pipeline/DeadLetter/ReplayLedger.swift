import Foundation

/// The set of DLQ file lines already replayed (`file:line`), kept in `Storage` so that it works wherever the
/// lake lives: each acknowledged batch adds one create-only object `<name>.d/<millis>-<random>.txt` holding its
/// lines, one per line. An older Weir appended them all to the single object `<name>`; it is still read.
public final class ReplayLedger {
    private let storage: Storage
    /// The ledger's name, e.g. `_weir/dlq-replay.ledger`.
    public let name: String
    private var seen: Set<String> = []
    private var sequence = 0

    /// A ledger named `name` in `storage`; nothing is read until `load`.
    public init(storage: Storage, name: String) {
        self.storage = storage
        self.name = name
    }

    /// The prefix holding one object per recorded batch.
    var partsPrefix: String { name + ".d" }

    /// Reads every line recorded so far.
    /// - Throws: the storage's error.
    func load() throws {
        var objects: [String] = []
        if try storage.info(name) != nil { objects.append(name) }
        objects += try storage.objects(under: partsPrefix)
        for object in objects {
            for line in (try storage.get(object) ?? []).split(separator: UInt8(ascii: "\n")) {
                seen.insert(String(decoding: line, as: UTF8.self))
            }
        }
    }

    func contains(_ origin: String) -> Bool { seen.contains(origin) }

    /// Records `origins` durably (one new object).
    /// - Throws: the storage's error.
    func record(_ origins: [String]) throws {
        guard !origins.isEmpty else { return }
        sequence += 1
        let millis = Int(Date().timeIntervalSince1970 * 1000)
        let part = partsPrefix + "/" + CivilTime.pad(millis, 13) + "-" + FileNamer.randomInstanceID() + "-" + CivilTime.pad(sequence, 6) + ".txt"
        try storage.put(part, bytes: Array(origins.map { $0 + "\n" }.joined().utf8))
        seen.formUnion(origins)
    }
}
