/// Errors thrown by the Parquet writer and reader. Every case carries a human-readable description
/// naming what is wrong (and, for corrupt input, where).
public enum ParquetError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The caller passed values that do not match the schema (wrong count, type, or nulls in a required column).
    case invalidArgument(String)
    /// The file is corrupt, truncated or not a Parquet file.
    case corrupt(String)
    /// The file uses a feature this implementation does not support (nested schemas, LZO, …).
    case unsupported(String)
    /// A compression library reported a failure.
    case compression(String)
    /// An operating-system I/O call failed (`errno` text included).
    case io(String)
    /// The writer was used after `close()`.
    case closed

    public var description: String {
        switch self {
        case .invalidArgument(let m): return "Parquet invalid argument: \(m)"
        case .corrupt(let m): return "Parquet file corrupt: \(m)"
        case .unsupported(let m): return "Parquet unsupported: \(m)"
        case .compression(let m): return "Parquet compression error: \(m)"
        case .io(let m): return "Parquet I/O error: \(m)"
        case .closed: return "Parquet writer already closed"
        }
    }
}
