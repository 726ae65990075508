import Parquet

/// Lets the Parquet writer stream a file straight into a `Storage` object: the footer's `finish(sync:)` completes
/// the object, durable when the writer's options ask for fsync.
final class StorageParquetSink: ParquetSink {
    private let writer: StorageWriter

    init(_ writer: StorageWriter) { self.writer = writer }

    var position: Int64 { writer.position }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try writer.write(bytes) }
    func finish(sync: Bool) throws { try writer.finish(durable: sync) }
}
