import CCurl
import Foundation

/// The state libcurl's callbacks work on during one transfer, reached through the opaque pointer.
final class TransferContext {
    private let request: HTTPRequest
    private var bytesOffset = 0
    private var fileReader: FileRangeReader?
    private var sinkHandle: FileHandle?
    private var sinkOpened = false
    let errorBuffer: UnsafeMutablePointer<CChar>
    private(set) var responseHeaders: [String: String] = [:]
    private(set) var responseBody: [UInt8] = []
    private var status = 0
    /// A local failure inside a callback (reading the upload, writing the download, body over its limit).
    private(set) var localError: S3Error?

    init(request: HTTPRequest) throws {
        self.request = request
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        if case .file(let range) = request.body { fileReader = try FileRangeReader(range) }
    }

    var errorText: String { String(cString: errorBuffer) }

    func finish() {
        fileReader?.close()
        try? sinkHandle?.close()
        errorBuffer.deallocate()
    }

    // MARK: request body

    private func readBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        switch request.body {
        case .bytes(let bytes):
            let count = min(buffer.count, bytes.count - bytesOffset)
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[bytesOffset..<(bytesOffset + count)]))
            }
            bytesOffset += count
            return count
        case .file:
            do {
                return try fileReader!.read(into: buffer)
            } catch let error as S3Error {
                localError = error
                return Int(CURL_READFUNC_ABORT)
            } catch {
                localError = .localFile("?", "\(error)")
                return Int(CURL_READFUNC_ABORT)
            }
        case nil:
            return 0
        }
    }

    // MARK: response

    private func receiveHeader(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new response starts (after a 100 Continue, for instance): forget the previous one's headers.
            responseHeaders = [:]
            let parts = trimmed.split(separator: " ")
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        responseHeaders[name] = value
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if (200..<300).contains(status), case .file(let path) = request.sink {
            do {
                if !sinkOpened {
                    sinkOpened = true
                    guard FileManager.default.createFile(atPath: path, contents: nil) else {
                        throw S3Error.localFile(path, "cannot create the download file")
                    }
                    sinkHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                }
                try sinkHandle?.write(contentsOf: bytes)
                return true
            } catch let error as S3Error {
                localError = error
            } catch {
                localError = .localFile(path, "write failed: \(error)")
            }
            return false
        }
        let limit: Int
        if case .memory(let cap) = request.sink, (200..<300).contains(status) { limit = cap } else { limit = 1 << 20 }
        guard responseBody.count + bytes.count <= limit else {
            localError = .localFile("(response body)", "the response body exceeds the \(limit)-byte limit for \(request.method.rawValue) \(request.url)")
            return false
        }
        responseBody.append(contentsOf: bytes)
        return true
    }

    // MARK: C callbacks (capture nothing; the context arrives through the opaque pointer)

    static let readCallback: weir_curl_data_callback = { buffer, size, count, opaque in
        let context = Unmanaged<TransferContext>.fromOpaque(opaque!).takeUnretainedValue()
        return context.readBody(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
    }

    static let writeCallback: weir_curl_data_callback = { buffer, size, count, opaque in
        let context = Unmanaged<TransferContext>.fromOpaque(opaque!).takeUnretainedValue()
        let ok = context.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
        return ok ? size * count : 0
    }

    static let headerCallback: weir_curl_data_callback = { buffer, size, count, opaque in
        let context = Unmanaged<TransferContext>.fromOpaque(opaque!).takeUnretainedValue()
        let bytes = UnsafeRawBufferPointer(start: buffer, count: size * count)
        context.receiveHeader(String(decoding: bytes, as: UTF8.self))
        return size * count
    }
}
