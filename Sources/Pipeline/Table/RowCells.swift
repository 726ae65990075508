/// The cells of the rows `RecordEvaluator` builds from a run of records, one contiguous array for all of them
/// (`width` cells per row, in table column order), so building a row allocates no array of its own: an accepted
/// record holds this storage and its row's first index.
///
/// Filled by the evaluator before any `RowCells` referring to it is handed out, then only read: safe to share.
final class RowCellStorage: @unchecked Sendable {
    fileprivate(set) var cells: [RowBuffer.Cell] = []

    /// Takes the cells of every row at once (moved in, not copied). Called once, before the storage is shared.
    func fill(_ cells: inout [RowBuffer.Cell]) {
        swap(&self.cells, &cells)
    }
}

/// One row's cells inside a `RowCellStorage`.
public struct RowCells: Sendable {
    let storage: RowCellStorage
    let start: Int
    /// Cells per row (the table's columns).
    public let count: Int

    /// The cells as an array, in table column order.
    public var array: [RowBuffer.Cell] { Array(storage.cells[start..<(start + count)]) }

    /// Calls `body` with each cell and its column position, in column order, reading them in place.
    @inline(__always)
    func forEach(_ body: (Int, RowBuffer.Cell) -> Void) {
        storage.cells.withUnsafeBufferPointer { cells in
            for column in 0..<count { body(column, cells[start + column]) }
        }
    }
}
