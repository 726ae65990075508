import Parquet

/// Rows of one Hive partition waiting to be flushed, stored column by column.
///
/// Each column's values live in a typed array so appends are in place; `columnValues()` hands them to the
/// Parquet writer without conversion.
public struct RowBuffer: Sendable {
    /// For each table column, which typed store holds it and at which index.
    private let slots: [(kind: LakeColumn.Kind, index: Int)]
    private(set) var strings: [[String?]]
    private(set) var int64s: [[Int64?]]
    private(set) var int32s: [[Int32?]]
    private(set) var doubles: [[Double?]]
    private(set) var booleans: [[Bool?]]
    /// Rows buffered.
    public private(set) var rowCount = 0
    /// Approximate input bytes buffered (the size of the source messages).
    public private(set) var inputBytes = 0
    /// Each row's dedup key (nil: the row has none), so a commit can drop rows whose key another writer landed.
    public private(set) var keys: [DedupKey?] = []

    public init(layout: TableLayout) {
        var slots: [(LakeColumn.Kind, Int)] = []
        var counts: [LakeColumn.Kind: Int] = [:]
        for column in layout.columns {
            let store: LakeColumn.Kind
            switch column.kind {
            case .string, .json: store = .string
            case .int64, .timestampMicros: store = .int64
            default: store = column.kind
            }
            slots.append((column.kind, counts[store, default: 0]))
            counts[store, default: 0] += 1
        }
        self.slots = slots
        strings = Array(repeating: [], count: counts[.string, default: 0])
        int64s = Array(repeating: [], count: counts[.int64, default: 0])
        int32s = Array(repeating: [], count: counts[.int32, default: 0])
        doubles = Array(repeating: [], count: counts[.double, default: 0])
        booleans = Array(repeating: [], count: counts[.boolean, default: 0])
    }

    /// One cell of a row being appended, in table column order.
    public enum Cell: Sendable {
        case string(String?), int64(Int64?), int32(Int32?), double(Double?), boolean(Bool?)
    }

    /// Appends one row; `cells` must follow the table's column order and kinds; `key` is the row's dedup key.
    public mutating func append(_ cells: [Cell], inputBytes: Int, key: DedupKey? = nil) {
        precondition(cells.count == slots.count, "row has \(cells.count) cells, table has \(slots.count) columns")
        for (i, cell) in cells.enumerated() { put(cell, column: i) }
        finishRow(inputBytes: inputBytes, key: key)
    }

    /// Appends one row from the evaluator's shared cell storage, reading the cells in place.
    public mutating func append(_ row: RowCells, inputBytes: Int, key: DedupKey? = nil) {
        precondition(row.count == slots.count, "row has \(row.count) cells, table has \(slots.count) columns")
        row.forEach { column, cell in put(cell, column: column) }
        finishRow(inputBytes: inputBytes, key: key)
    }

    @inline(__always)
    private mutating func put(_ cell: Cell, column: Int) {
        let index = slots[column].index
        switch cell {
        case .string(let v): strings[index].append(v)
        case .int64(let v): int64s[index].append(v)
        case .int32(let v): int32s[index].append(v)
        case .double(let v): doubles[index].append(v)
        case .boolean(let v): booleans[index].append(v)
        }
    }

    private mutating func finishRow(inputBytes: Int, key: DedupKey?) {
        rowCount += 1
        self.inputBytes += inputBytes
        keys.append(key)
    }

    /// This buffer without the rows whose dedup key is in `dropped`, and how many rows that removed.
    public func removingRows(withKeys dropped: Set<DedupKey>) -> (buffer: RowBuffer, removed: Int) {
        let kept = keys.indices.filter { keys[$0].map { !dropped.contains($0) } ?? true }
        guard kept.count < rowCount else { return (self, 0) }
        var out = self
        func keep<T>(_ column: [T]) -> [T] { kept.map { column[$0] } }
        out.strings = strings.map(keep)
        out.int64s = int64s.map(keep)
        out.int32s = int32s.map(keep)
        out.doubles = doubles.map(keep)
        out.booleans = booleans.map(keep)
        out.keys = keep(keys)
        out.rowCount = kept.count
        out.inputBytes = rowCount == 0 ? 0 : inputBytes * kept.count / rowCount
        return (out, rowCount - kept.count)
    }

    /// The buffered columns as Parquet column values, in table order.
    public func columnValues() -> [ColumnValues] {
        slots.map { slot in
            switch slot.kind {
            case .string, .json: return .string(strings[slot.index])
            case .int64, .timestampMicros: return .int64(int64s[slot.index])
            case .int32: return .int32(int32s[slot.index])
            case .double: return .double(doubles[slot.index])
            case .boolean: return .boolean(booleans[slot.index])
            }
        }
    }
}
