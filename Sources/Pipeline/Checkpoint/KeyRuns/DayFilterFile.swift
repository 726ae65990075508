import Foundation

/// A `DayFilter` kept beside the run it was built from (`run-….keys` → `run-….dayfilter`), so that a process
/// opening the store reads it instead of every key of the ended days.
///
/// ```
/// header  40 bytes              "WEIRDAYF", version, wordCount, the run's key count, the run's checksum
/// words   wordCount × 8         DayFilter words, little-endian
/// trailer 8 bytes               checksum of the header's numbers and the words
/// ```
/// Numbers are little-endian 64-bit.
/// The run's key count and footer checksum bind the file to that run: a file that does not match its run, is
/// torn or damaged is refused (`KeyRunError.corrupt`), deleted and rebuilt from the run, never trusted. Written
/// to a temporary name, fsynced, renamed, and the directory fsynced.
enum DayFilterFile {
    static let magic = Array("WEIRDAYF".utf8)
    static let version: UInt32 = 1
    static let headerBytes = 40
    static let suffix = ".dayfilter"

    /// The day filter file name of run file `runFile`.
    static func name(forRun runFile: String) -> String {
        (runFile.hasSuffix(".keys") ? String(runFile.dropLast(5)) : runFile) + suffix
    }

    /// The file's bytes for `day`, built from the run whose footer is `run`.
    static func encode(_ day: DayFilter, run: KeyRunFormat.Footer) -> [UInt8] {
        var out = magic
        let numbers = [UInt64(version), UInt64(day.wordCount), UInt64(run.keyCount), run.checksum]
        for n in numbers { KeyRunFormat.appendLE(&out, n) }
        var checksum = numbers.reduce(0, KeyRunFormat.fold)
        let start = out.count
        out += [UInt8](repeating: 0, count: day.words.count * 8 + 8)
        out.withUnsafeMutableBytes { raw in
            for (i, w) in day.words.enumerated() {
                checksum = KeyRunFormat.fold(checksum, w)
                raw.storeBytes(of: w.littleEndian, toByteOffset: start + i * 8, as: UInt64.self)
            }
            raw.storeBytes(of: checksum.littleEndian, toByteOffset: start + day.words.count * 8, as: UInt64.self)
        }
        return out
    }

    /// The filter in `bytes`, checked against the run whose footer is `run`.
    /// - Throws: `KeyRunError.corrupt` when the bytes are not a complete day filter of that run.
    static func decode(_ bytes: [UInt8], run: KeyRunFormat.Footer) throws(KeyRunError) -> DayFilter {
        guard bytes.count >= headerBytes + 8, Array(bytes[0..<8]) == magic else { throw .corrupt("no day filter header") }
        let numbers = (0..<4).map { KeyRunFormat.readLE(bytes, at: 8 + 8 * $0) }
        guard numbers[0] == UInt64(version), numbers[1] >= 1, numbers[1] <= UInt64(DayFilter.maxWords) else {
            throw .corrupt("unsupported day filter version or size")
        }
        guard numbers[2] == UInt64(run.keyCount), numbers[3] == run.checksum else { throw .corrupt("day filter of another run") }
        let count = Int(numbers[1])
        guard bytes.count == headerBytes + count * 8 + 8 else { throw .corrupt("day filter is \(bytes.count) bytes, its header describes \(headerBytes + count * 8 + 8)") }
        var checksum = numbers.reduce(0, KeyRunFormat.fold)
        let words = bytes.withUnsafeBytes { raw in
            (0..<count).map { i in
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: headerBytes + i * 8, as: UInt64.self))
                checksum = KeyRunFormat.fold(checksum, w)
                return w
            }
        }
        guard checksum == KeyRunFormat.readLE(bytes, at: headerBytes + count * 8), let day = DayFilter(words: words) else {
            throw .corrupt("day filter checksum mismatch")
        }
        return day
    }

    /// The day filter of every key in `run` (one sequential read of its entries), of `preferred` words when they
    /// suit its key count (`DayFilter.wordCount(forKeys:preferring:)`).
    static func build(from run: KeyRun, preferring preferred: Int? = nil) throws -> DayFilter {
        var day = DayFilter(wordCount: DayFilter.wordCount(forKeys: run.keyCount, preferring: preferred))
        var cursor = run.cursor()
        while let entry = try cursor.next() { day.insert(KeyProbe(entry.key)) }
        return day
    }

    /// Writes `bytes` to `directory`/`name` atomically: a temporary file, fsynced, renamed over the name, and the
    /// directory fsynced. Returns the bytes written.
    static func write(_ bytes: [UInt8], name: String, directory: String) throws -> Int {
        let temp = directory + "/" + name + ".tmp-" + UUID().uuidString.lowercased()
        var sink = try KeyRunFileSink(path: temp)
        do {
            try bytes.withUnsafeBytes { try sink.write($0) }
        } catch {
            sink.abandon()
            unlink(temp)
            throw error
        }
        do {
            try sink.close()
            guard rename(temp, directory + "/" + name) == 0 else { throw KeyRunFileError(path: temp, operation: "rename", code: errno) }
            try KeyRunFiles.syncDirectory(directory)
        } catch {
            unlink(temp)
            throw error
        }
        return bytes.count
    }

    /// The word count in the header of the day filter file at `path`; nil when it is missing or not one.
    static func wordCount(atPath path: String) -> Int? {
        guard let source = try? KeyRunFileSource(path: path), source.byteCount >= headerBytes,
              let head = try? source.read(at: 0, count: headerBytes), Array(head[0..<8]) == magic,
              KeyRunFormat.readLE(head, at: 8) == UInt64(version) else { return nil }
        let count = KeyRunFormat.readLE(head, at: 16)
        return count >= 1 && count <= UInt64(DayFilter.maxWords) ? Int(count) : nil
    }

    /// The bytes of `path`, nil when it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let source: KeyRunFileSource
        do {
            source = try KeyRunFileSource(path: path)
        } catch let e as KeyRunFileError where e.isMissing {
            return nil
        }
        return try source.read(at: 0, count: source.byteCount)
    }
}
