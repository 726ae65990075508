import Foundation
import Parquet

/// What `weir inspect` reports about one Parquet file.
public struct FileInspection: Codable, Sendable {
    public struct RowGroup: Codable, Sendable {
        public let rows: Int64
        public let bytes: Int64
        public let compressedBytes: Int64
    }
    public struct Column: Codable, Sendable {
        public let name: String
        public let physicalType: String
        public let logicalType: String?
        public let repetition: String
        public let codecs: [String]
        public let encodings: [String]
        public let compressedBytes: Int64
        public let uncompressedBytes: Int64
        public let nullCount: Int64?
        public let min: String?
        public let max: String?
    }
    public let path: String
    public let rows: Int64
    public let bytes: Int64
    public let createdBy: String?
    public let rowGroups: [RowGroup]
    /// Per-column schema, codecs, encodings and statistics (aggregated over row groups); only when detailed.
    public var columns: [Column]?
}

/// What `weir inspect` reports about a file, a partition directory or a whole lake.
public struct LakeInspection: Codable, Sendable {
    public let path: String
    /// `file`, `partition` or `lake`.
    public let kind: String
    public let files: [FileInspection]
    public let totalRows: Int64
    public let totalBytes: Int64
    public let rowGroups: Int
    /// The configured row-group size the groups are compared with.
    public let targetRowGroupRows: Int
    /// Row groups holding less than half the target (many small groups: compact, or raise flush sizes).
    public let smallRowGroups: Int
}

/// Reads Parquet footers under a path, through `Storage`: only each file's footer is read (ranged reads), so a
/// lake on object storage is inspected without downloading its data.
public enum LakeInspector {
    /// Inspects the local `path` (see `inspect(storage:name:displayPath:targetRowGroupRows:)`).
    /// - Throws: `CompactionError` when `path` does not exist or is a placeholder; `ParquetError` for a bad file.
    public static func inspect(path: String, targetRowGroupRows: Int) throws -> LakeInspection {
        let parent = (path as NSString).deletingLastPathComponent
        let storage = POSIXStorage(root: parent.isEmpty ? "/" : parent, lockDirectory: parent)
        let name = (path as NSString).lastPathComponent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try inspect(storage: POSIXStorage(root: path, lockDirectory: path), name: "", displayPath: path,
                               targetRowGroupRows: targetRowGroupRows)
        }
        return try inspect(storage: storage, name: name, displayPath: path, targetRowGroupRows: targetRowGroupRows)
    }

    /// Inspects the object or prefix `name` of `storage`: a Parquet object (with column details), or a prefix
    /// (partition or lake; the empty name is the root) whose `*.parquet` objects are listed recursively the way a
    /// `**/*.parquet` reader sees them (skipping `_weir` and compaction placeholders, which hold no rows).
    /// - Parameters:
    ///   - displayPath: how the report names `name` (a path or URL); file paths are reported below it.
    ///   - targetRowGroupRows: the row-group size that groups are compared with.
    /// - Throws: `CompactionError` when nothing exists under `name` or it is a placeholder; `ParquetError` for a
    ///   bad file; `StorageError`.
    public static func inspect(storage: Storage, name: String, displayPath: String, targetRowGroupRows: Int) throws -> LakeInspection {
        var files: [FileInspection] = []
        let kind: String
        func shown(_ object: String) -> String {
            name.isEmpty ? displayPath + "/" + object : displayPath + String(object.dropFirst(name.count))
        }
        if try !name.isEmpty && storage.info(name) != nil {
            guard !CompactionPlaceholder.isPlaceholder(in: storage, name: name) else {
                throw CompactionError("\(displayPath) is a compaction placeholder: its rows were merged into another file of the partition; it is deleted within seconds")
            }
            files = [try inspectFile(storage: storage, name: name, path: displayPath, detailed: true)]
            kind = "file"
        } else {
            guard storage.exists(name) else { throw CompactionError("\(displayPath) does not exist") }
            let state = name.isEmpty ? "_weir" : name + "/_weir"
            let names = try storage.objects(under: name, descend: { $0 != state }).filter { $0.hasSuffix(".parquet") }
            for object in names {
                do {
                    files.append(try inspectFile(storage: storage, name: object, path: shown(object), detailed: false))
                } catch is ParquetError where CompactionPlaceholder.isPlaceholder(in: storage, name: object) {
                    continue
                }
            }
            let entries = try storage.list(name)
            kind = entries.contains(where: { $0.hasPrefix("date=") || $0 == "_weir" }) ? "lake" : "partition"
        }
        let groups = files.flatMap(\.rowGroups)
        return LakeInspection(path: displayPath, kind: kind, files: files, totalRows: files.reduce(0) { $0 + $1.rows },
                              totalBytes: files.reduce(0) { $0 + $1.bytes }, rowGroups: groups.count,
                              targetRowGroupRows: targetRowGroupRows,
                              smallRowGroups: groups.filter { $0.rows * 2 < Int64(targetRowGroupRows) }.count)
    }

    /// One Parquet object's footer: rows, bytes, row groups and, when `detailed`, each column's schema, codecs,
    /// encodings and statistics. `path` is how the report names it.
    public static func inspectFile(storage: Storage, name: String, path: String, detailed: Bool) throws -> FileInspection {
        let (meta, size) = try ParquetObject.footer(in: storage, name: name)
        let groups = meta.rowGroups.map { g in
            FileInspection.RowGroup(rows: g.numRows, bytes: g.totalByteSize, compressedBytes: g.columns.reduce(0) { $0 + $1.totalCompressedSize })
        }
        var inspection = FileInspection(path: path, rows: meta.numRows, bytes: size, createdBy: meta.createdBy,
                                        rowGroups: groups, columns: nil)
        guard detailed else { return inspection }
        inspection.columns = meta.schema.columns.enumerated().map { i, c in
            let chunks = meta.rowGroups.map { $0.columns[i] }
            var codecs: [String] = []
            var encodings: [String] = []
            for chunk in chunks {
                let codec = chunk.codec.map { String(describing: $0) } ?? "codec(\(chunk.codecValue))"
                if !codecs.contains(codec) { codecs.append(codec) }
                for e in chunk.encodings where !encodings.contains(e.description) { encodings.append(e.description) }
            }
            var nulls: Int64? = 0
            var lo: String?, hi: String?
            var loValue: StatValue?, hiValue: StatValue?
            for chunk in chunks {
                guard let s = chunk.statistics else { nulls = nil; continue }
                if let n = s.nullCount, let acc = nulls { nulls = acc + n } else { nulls = nil }
                if let bytes = s.minValue ?? s.legacyMin, let v = StatValue(bytes, c.physicalType), loValue.map({ v < $0 }) ?? true {
                    loValue = v; lo = v.text
                }
                if let bytes = s.maxValue ?? s.legacyMax, let v = StatValue(bytes, c.physicalType), hiValue.map({ $0 < v }) ?? true {
                    hiValue = v; hi = v.text
                }
            }
            return FileInspection.Column(
                name: c.name, physicalType: String(describing: c.physicalType), logicalType: c.logicalType.map(logicalName),
                repetition: String(describing: c.repetition), codecs: codecs, encodings: encodings,
                compressedBytes: chunks.reduce(0) { $0 + $1.totalCompressedSize },
                uncompressedBytes: chunks.reduce(0) { $0 + $1.totalUncompressedSize },
                nullCount: chunks.isEmpty ? nil : nulls, min: lo, max: hi)
        }
        return inspection
    }

    static func logicalName(_ t: LogicalType) -> String {
        if case .timestamp(let unit, let utc) = t { return "timestamp(\(unit == .micros ? "us" : "ms")\(utc ? ",UTC" : ""))" }
        return String(describing: t)
    }

    /// A decoded min/max statistic, comparable within one column.
    enum StatValue: Comparable {
        case int(Int64), double(Double), bytes([UInt8])

        init?(_ b: [UInt8], _ type: PhysicalType) {
            func le(_ n: Int) -> UInt64 { (0..<n).reduce(UInt64(0)) { $0 | UInt64(b[$1]) << (8 * UInt64($1)) } }
            switch type {
            case .boolean: guard b.count >= 1 else { return nil }; self = .int(Int64(b[0]))
            case .int32: guard b.count == 4 else { return nil }; self = .int(Int64(Int32(truncatingIfNeeded: le(4))))
            case .int64: guard b.count == 8 else { return nil }; self = .int(Int64(bitPattern: le(8)))
            case .float: guard b.count == 4 else { return nil }; self = .double(Double(Float(bitPattern: UInt32(le(4)))))
            case .double: guard b.count == 8 else { return nil }; self = .double(Double(bitPattern: le(8)))
            case .byteArray, .fixedLenByteArray: self = .bytes(b)
            }
        }

        static func < (a: Self, b: Self) -> Bool {
            switch (a, b) {
            case (.int(let x), .int(let y)): return x < y
            case (.double(let x), .double(let y)): return x < y
            case (.bytes(let x), .bytes(let y)): return x.lexicographicallyPrecedes(y)
            default: return false
            }
        }

        var text: String {
            switch self {
            case .int(let v): return String(v)
            case .double(let v): return String(v)
            case .bytes(let v):
                if let s = String(validating: v, as: UTF8.self) { return s }
                return v.map { String(format: "%02x", $0) }.joined()
            }
        }
    }

    /// The human-readable table.
    public static func render(_ i: LakeInspection) -> String {
        var lines: [String] = []
        lines.append("\(i.kind) \(i.path): \(i.files.count) files, \(i.totalRows) rows, \(i.totalBytes) bytes, \(i.rowGroups) row groups "
                     + "(\(i.smallRowGroups) below half the row-group target of \(i.targetRowGroupRows) rows, lake.row_group_rows)")
        lines.append(pad("FILE", 64) + pad("ROWS", 12) + pad("BYTES", 12) + pad("GROUPS", 8) + "GROUP ROWS (min/avg/max)")
        for f in i.files {
            let rows = f.rowGroups.map(\.rows)
            let avg = rows.isEmpty ? 0 : rows.reduce(0, +) / Int64(rows.count)
            let name = i.kind == "file" ? f.path : String(f.path.dropFirst(i.path.count + 1))
            lines.append(pad(name, 64) + pad(String(f.rows), 12) + pad(String(f.bytes), 12) + pad(String(rows.count), 8)
                         + "\(rows.min() ?? 0)/\(avg)/\(rows.max() ?? 0)")
        }
        if i.kind == "file", let f = i.files.first {
            lines.append("")
            lines.append("created_by: \(f.createdBy ?? "-")")
            for (n, g) in f.rowGroups.enumerated() {
                lines.append("row group \(n): \(g.rows) rows, \(g.bytes) bytes uncompressed, \(g.compressedBytes) bytes compressed")
            }
            lines.append("")
            lines.append(pad("COLUMN", 24) + pad("TYPE", 36) + pad("CODEC", 10) + pad("ENCODINGS", 32) + pad("NULLS", 8) + "MIN .. MAX")
            for c in f.columns ?? [] {
                let type = c.physicalType + (c.logicalType.map { "/" + $0 } ?? "") + (c.repetition == "optional" ? "?" : "")
                lines.append(pad(c.name, 24) + pad(type, 36) + pad(c.codecs.joined(separator: ","), 10)
                             + pad(c.encodings.joined(separator: ","), 32) + pad(c.nullCount.map(String.init) ?? "-", 8)
                             + "\(c.min.map { String($0.prefix(40)) } ?? "-") .. \(c.max.map { String($0.prefix(40)) } ?? "-")")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
