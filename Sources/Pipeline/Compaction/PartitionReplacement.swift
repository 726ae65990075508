import Parquet

/// Files merged by one compaction run: the new file's name, the inputs it replaces, its rows and bytes.
typealias MergedFile = (name: String, inputs: [String], rows: Int64, bytes: Int64)

/// How compaction puts merged files in the place of their inputs so that a reader racing it reads correctly or
/// fails loudly, never silently misses or duplicates a row (docs/COMPACTION.md). Two implementations:
///
/// - `PartitionSwap` (local file systems only): builds the partition's next directory beside the lake and swaps
///   it in with `renameat2(RENAME_EXCHANGE)`;
/// - `PlaceholderReplacement` (any `Storage`, object storage included): overwrites each input with a placeholder,
///   then publishes the merged file.
///
/// `Compactor` runs them the same way: `prepare`, then per partition `writer` for each merged file and `replace`,
/// then `finish`, all under the storage's `_compaction` lock.
protocol PartitionReplacement {
    /// Finishes a replacement that a crash interrupted, drops unfinished merges and deletes what has outlived its
    /// grace (retired versions, placeholders).
    func prepare() throws
    /// Why `partition` cannot be compacted this way (nil when it can); `hasSubprefixes` tells whether it also holds
    /// sub-partitions (e.g. `hour=` levels).
    func skipReason(partition: String, hasSubprefixes: Bool) -> String?
    /// A writer of the merged file `name` of run `id` (not visible to readers until `replace`).
    func writer(id: String, name: String, schema: ParquetSchema, options: ParquetWriterOptions) throws -> ParquetFileWriter
    /// Drops the merged file `name` of run `id` (a run of one input is not rewritten).
    func discard(id: String, name: String)
    /// Puts `merged` (written by `writer`) in the place of their inputs in `partition` and records the replacement
    /// in the table (`TableRewrite`).
    func replace(partition: String, merged: [MergedFile], id: String) throws
    /// Drops what is left of run `id`'s merged files (after `replace`, or when it failed).
    func cleanUp(id: String)
    /// Ends a run: waits out the placeholder grace and deletes the placeholders; deletes retired versions whose
    /// grace is over.
    func finish() throws
}
