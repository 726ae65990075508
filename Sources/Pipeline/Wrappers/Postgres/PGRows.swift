import CLibPQ

/// The rows of one result, copied out of libpq's `PGresult` as text (nil for SQL NULL).
struct PGRows {
    /// Rows, each a list of column values in the statement's order.
    let rows: [[String?]]
    /// Rows affected by an INSERT, UPDATE or DELETE (`PQcmdTuples`); 0 for other statements.
    let affected: Int

    init(_ result: OpaquePointer) {
        let n = PQntuples(result), columns = PQnfields(result)
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(n))
        for r in 0..<n {
            var row: [String?] = []
            row.reserveCapacity(Int(columns))
            for c in 0..<columns {
                row.append(PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c)))
            }
            rows.append(row)
        }
        self.rows = rows
        affected = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The first column of the first row, nil when there is no row or it is NULL.
    var scalar: String? { rows.first?.first ?? nil }
}
