import CLibPQ
import Foundation

/// One libpq connection (`PGconn*`). Not thread-safe: one user at a time (`PGConnectionPool` hands it out).
///
/// Ownership: the connection is opened in `init` and finished exactly once in `deinit`. Parameters travel in
/// libpq's text format, or binary where the caller gives bytes (`PGParameter`); results come back as text.
final class PGConnection {
    private let handle: OpaquePointer
    /// Names of the statements prepared on this connection (`query(prepared:_:_:)`).
    private var prepared: Set<String> = []

    /// Connects with `conninfo` (a `postgres://` URL or `key=value` string). libpq completes it from the `PG*`
    /// environment variables and `~/.pgpass`, and negotiates TLS per `sslmode`. `defaults` are applied unless
    /// the connection string sets the same keyword (e.g. `connect_timeout`).
    /// - Throws: `PGError` with libpq's message (which names host and port, never the password).
    init(conninfo: String, defaults: [(String, String)] = []) throws {
        let keywords = defaults.map(\.0) + ["dbname"]
        let values = defaults.map(\.1) + [conninfo]
        let conn = withCStrings(keywords) { k in
            withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn else { throw PGError(message: "out of memory", connectionLost: true) }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(conn)))
            PQfinish(conn)
            // An option libpq rejects ("invalid integer value … for connection option", "invalid sslmode value") is
            // the caller's mistake, not a lost server.
            // The server's own refusal (FATAL: no such database, role or permission) is not lost either, unless it
            // is one that passes (starting up, shutting down, too many clients).
            let passing = ["starting up", "shutting down", "in recovery", "too many clients", "remaining connection slots"]
            let refused = message.contains("FATAL:") && !passing.contains { message.contains($0) }
            // TLS the server cannot give as the URL demands fails the same way on every attempt: not lost either.
            throw PGError(message: message, sqlState: message.contains("password authentication failed") ? "28P01" : nil,
                          connectionLost: !message.contains("invalid ") && !refused && !PGError.isTLSMismatch(message))
        }
        handle = conn
        // Server notices ("relation … already exists, skipping") would go to stderr: the callers report what matters.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable as far as libpq knows.
    var isOK: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether a transaction is open (or failed and not yet rolled back) on this connection.
    var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// The server's version number, e.g. 150018 for 15.18.
    var serverVersion: Int32 { PQserverVersion(handle) }

    /// Runs one statement with text parameters (`$1`, `$2`, …; nil is SQL NULL) and returns its rows.
    /// A parameterless call may hold several statements separated by semicolons.
    /// - Throws: `PGError` with the server's message and SQLSTATE.
    @discardableResult
    func query(_ sql: String, _ params: [String?] = []) throws -> PGRows {
        if params.isEmpty { return try rows(of: PQexec(handle, sql)) }
        return try query(sql, params.map(PGParameter.text))
    }

    /// Runs one statement with parameters in text or binary format (`PGParameter`); results come back as text.
    /// - Throws: `PGError` with the server's message and SQLSTATE.
    @discardableResult
    func query(_ sql: String, _ params: [PGParameter]) throws -> PGRows {
        try withParameters(params) { n, values, lengths, formats in
            try rows(of: PQexecParams(handle, sql, n, nil, values, lengths, formats, 0))
        }
    }

    /// Runs `sql` as the prepared statement `name` of this connection: prepared (parsed once) on its first use
    /// here, then executed with `params` without being parsed or analysed again (after its first executions the
    /// server may also keep a generic plan). Each name must always stand for the same `sql`.
    /// - Throws: `PGError` with the server's message and SQLSTATE.
    @discardableResult
    func query(prepared name: String, _ sql: String, _ params: [PGParameter]) throws -> PGRows {
        if !prepared.contains(name) {
            _ = try rows(of: PQprepare(handle, name, sql, Int32(params.count), nil))
            prepared.insert(name)
        }
        return try withParameters(params) { n, values, lengths, formats in
            try rows(of: PQexecPrepared(handle, name, n, values, lengths, formats, 0))
        }
    }

    /// Calls `body` with the parameters as libpq takes them: count, values, lengths and formats (text 0, binary 1).
    private func withParameters<T>(_ params: [PGParameter],
                                   _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, [Int32], [Int32]) throws -> T) rethrows -> T {
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = [], formats: [Int32] = []
        defer { buffers.forEach { free($0) } }
        for param in params {
            switch param {
            case .text(let value):
                buffers.append(value.map { strdup($0) } ?? nil)
                lengths.append(0)
                formats.append(0)
            case .binary(let bytes):
                let buffer = malloc(max(1, bytes.count))!.bindMemory(to: CChar.self, capacity: max(1, bytes.count))
                bytes.withUnsafeBufferPointer { src in
                    if let base = src.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: bytes.count) }
                }
                buffers.append(buffer)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        let values: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0) } }
        return try values.withUnsafeBufferPointer { v in try body(Int32(params.count), v.baseAddress, lengths, formats) }
    }

    /// Runs `COPY … FROM STDIN` (`sql`) and sends `data` as its whole input, in the format the statement names
    /// (`PGBinaryCopy` for `FORMAT binary`).
    /// - Returns: the rows copied.
    /// - Throws: `PGError` with the server's message and SQLSTATE (e.g. `23505` for a key already stored).
    @discardableResult
    func copyIn(_ sql: String, data: [UInt8]) throws -> Int {
        guard let started = PQexec(handle, sql) else {
            throw PGError(message: Self.trimmed(String(cString: PQerrorMessage(handle))), connectionLost: !isOK)
        }
        guard PQresultStatus(started) == PGRES_COPY_IN else { return try rows(of: started).affected }
        PQclear(started)
        // In pieces of at most 1 MiB (a blocking connection takes each whole); a failed send ends the COPY with an error.
        var sent: Int32 = 1
        data.withUnsafeBytes { bytes in
            var start = 0
            while sent == 1 && start < bytes.count {
                let count = min(bytes.count - start, 1 << 20)
                sent = PQputCopyData(handle, (bytes.baseAddress! + start).assumingMemoryBound(to: CChar.self), Int32(count))
                start += count
            }
        }
        _ = PQputCopyEnd(handle, sent == 1 ? nil : "weir: sending the COPY data failed")
        // Every result must be read (until nil) before the connection takes the next statement; the first error wins.
        var copied: Int?, failure: Error?
        while let result = PQgetResult(handle) {
            do {
                let affected = try rows(of: result).affected
                if copied == nil { copied = affected }
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
        guard let copied else {
            throw PGError(message: Self.trimmed(String(cString: PQerrorMessage(handle))), connectionLost: !isOK)
        }
        return copied
    }

    /// The rows of `result`, or the error it (or its absence) reports; clears it.
    private func rows(of result: OpaquePointer?) throws -> PGRows {
        guard let result else {
            throw PGError(message: Self.trimmed(String(cString: PQerrorMessage(handle))), connectionLost: !isOK)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let text = PQresultErrorMessage(result).map { String(cString: $0) } ?? ""
            throw PGError(message: Self.trimmed(text.isEmpty ? String(cString: PQerrorMessage(handle)) : text),
                          sqlState: state, connectionLost: !isOK || PGError.isConnectionState(state))
        }
        return PGRows(result)
    }

    /// Runs `body` inside `BEGIN … COMMIT`; rolls back when it throws (if the connection still stands).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let value = try body()
            try query("COMMIT")
            return value
        } catch {
            if isOK && inTransaction { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    private static func trimmed(_ s: String) -> String {
        s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}

/// Calls `body` with a C array of C strings that live for the call.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeMutableBufferPointer { body(UnsafePointer($0.baseAddress!)) }
}
