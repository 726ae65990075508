import CSnappy
import CZlib
import CZstd

/// Page (de)compression via system libraries (parquet-format Compression.md):
/// SNAPPY = raw snappy block, GZIP = RFC 1952 gzip stream (zlib, windowBits 31), ZSTD = zstd frame.
/// This is the only file with C interop. One instance per file writer, shared by its columns (the writer is
/// single-threaded): one ZSTD context and one output buffer, so their memory is allocated (and faulted in) once.
final class PageCompressor {
    let codec: CompressionCodec
    let level: Int32
    private var zstdCCtx: OpaquePointer?
    /// Output of `compress(_:)`: the first (returned count) bytes are valid until the next call.
    /// Grown as needed, never shrunk, so it is not re-zeroed per page.
    private(set) var output: [UInt8] = []

    /// `level`: codec level (ZSTD default 1 like Arrow; GZIP default 6); ignored for SNAPPY/UNCOMPRESSED.
    init(codec: CompressionCodec, level: Int32? = nil) {
        self.codec = codec
        self.level = level ?? (codec == .gzip ? 6 : 1)
    }

    deinit { if let c = zstdCCtx { ZSTD_freeCCtx(c) } }

    /// Compresses `input` into `output` and returns the compressed length. Throws `.compression` on library failure.
    func compress(_ input: [UInt8]) throws -> Int {
        if codec == .uncompressed || codec == .gzip {
            var out: [UInt8] = []
            if codec == .gzip { try gzip(input, appendingTo: &out) } else { out = input }
            if output.count < out.count { output = out } else { output.replaceSubrange(0..<out.count, with: out) }
            return out.count
        }
        let bound = codec == .zstd ? ZSTD_compressBound(input.count) : snappy_max_compressed_length(input.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        if codec == .zstd {
            if zstdCCtx == nil { zstdCCtx = ZSTD_createCCtx() }
            let n = input.withUnsafeBytes { src in
                output.withUnsafeMutableBytes { dst in
                    ZSTD_compressCCtx(zstdCCtx, dst.baseAddress, bound, src.baseAddress, src.count, level)
                }
            }
            if ZSTD_isError(n) != 0 { throw ParquetError.compression("zstd: \(String(cString: ZSTD_getErrorName(n)))") }
            return n
        }
        var outLen = bound
        let status = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                snappy_compress(src.baseAddress?.assumingMemoryBound(to: CChar.self), src.count,
                                dst.baseAddress?.assumingMemoryBound(to: CChar.self), &outLen)
            }
        }
        guard status == SNAPPY_OK else { throw ParquetError.compression("snappy_compress failed (\(status))") }
        return outLen
    }

    /// Compresses `input` and appends the result to `out`. Throws `.compression` on library failure.
    func compress(_ input: [UInt8], appendingTo out: inout [UInt8]) throws {
        switch codec {
        case .uncompressed:
            out.append(contentsOf: input)
        case .snappy:
            let base = out.count
            var outLen = snappy_max_compressed_length(input.count)
            out.append(contentsOf: repeatElement(0, count: outLen))
            let status = input.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    src.withMemoryRebound(to: CChar.self) { s in
                        dst.withMemoryRebound(to: CChar.self) { d in
                            snappy_compress(s.baseAddress, s.count, d.baseAddress! + base, &outLen)
                        }
                    }
                }
            }
            guard status == SNAPPY_OK else { throw ParquetError.compression("snappy_compress failed (\(status))") }
            out.removeLast(out.count - base - outLen)
        case .zstd:
            if zstdCCtx == nil { zstdCCtx = ZSTD_createCCtx() }
            let base = out.count
            let bound = ZSTD_compressBound(input.count)
            out.append(contentsOf: repeatElement(0, count: bound))
            let n = input.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    ZSTD_compressCCtx(zstdCCtx, dst.baseAddress! + base, bound, src.baseAddress, src.count, level)
                }
            }
            if ZSTD_isError(n) != 0 { throw ParquetError.compression("zstd: \(String(cString: ZSTD_getErrorName(n)))") }
            out.removeLast(bound - n)
        case .gzip:
            try gzip(input, appendingTo: &out)
        }
    }

    private func gzip(_ input: [UInt8], appendingTo out: inout [UInt8]) throws {
        var stream = z_stream()
        var rc = deflateInit2_(&stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw ParquetError.compression("deflateInit2 failed (\(rc))") }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 32
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: bound))
        var input = input
        rc = input.withUnsafeMutableBytes { src in
            out.withUnsafeMutableBytes { dst in
                stream.next_in = src.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(src.count)
                stream.next_out = (dst.baseAddress! + base).assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(bound)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw ParquetError.compression("gzip deflate failed (\(rc))") }
        out.removeLast(bound - Int(stream.total_out))
    }

    /// Decompresses `input` (a page body) that must expand to exactly `uncompressedSize` bytes.
    /// Throws `.corrupt` when the data is invalid or the size does not match.
    static func decompress(codec: CompressionCodec, _ input: UnsafeRawBufferPointer, uncompressedSize: Int) throws -> [UInt8] {
        if codec == .uncompressed {
            guard input.count == uncompressedSize else { throw ParquetError.corrupt("uncompressed page size \(input.count) != header \(uncompressedSize)") }
            return Array(input)
        }
        var out = [UInt8](repeating: 0, count: uncompressedSize)
        if uncompressedSize == 0 && input.isEmpty { return out }
        let produced: Int = try out.withUnsafeMutableBytes { dst -> Int in
            switch codec {
            case .uncompressed: return 0
            case .snappy:
                var len = uncompressedSize
                let rc = snappy_uncompress(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                                           dst.baseAddress?.assumingMemoryBound(to: CChar.self), &len)
                guard rc == SNAPPY_OK else { throw ParquetError.corrupt("invalid snappy page data") }
                return len
            case .zstd:
                let n = ZSTD_decompress(dst.baseAddress, dst.count, input.baseAddress, input.count)
                if ZSTD_isError(n) != 0 { throw ParquetError.corrupt("invalid zstd page data: \(String(cString: ZSTD_getErrorName(n)))") }
                return n
            case .gzip:
                var stream = z_stream()
                guard inflateInit2_(&stream, 47, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                    throw ParquetError.compression("inflateInit2 failed")
                }
                defer { inflateEnd(&stream) }
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(input.count)
                stream.next_out = dst.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(dst.count)
                let rc = inflate(&stream, Z_FINISH)
                guard rc == Z_STREAM_END else { throw ParquetError.corrupt("invalid gzip page data (zlib \(rc))") }
                return Int(stream.total_out)
            }
        }
        guard produced == uncompressedSize else {
            throw ParquetError.corrupt("page decompressed to \(produced) bytes, header says \(uncompressedSize)")
        }
        return out
    }
}
