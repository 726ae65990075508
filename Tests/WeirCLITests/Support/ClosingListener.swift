import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on 127.0.0.1 that is not a Kafka broker: it accepts each connection and either closes it at
/// once or answers with bytes that are not a Kafka response. Stands in for an incompatible broker or the wrong
/// service at a bootstrap address. Stops (closing its socket) in `stop()` or when released.
final class ClosingListener: @unchecked Sendable {
    enum Behaviour { case close, garbage }

    let port: Int
    private let fd: Int32
    private let thread: Thread
    /// Signalled when the accept loop has returned: the socket is only closed after that, so the loop never calls
    /// `accept` on a descriptor number another test has been given since.
    private let acceptLoopEnded = DispatchSemaphore(value: 0)
    private let stopLock = NSLock()
    private var stopped = false

    init(_ behaviour: Behaviour) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw OracleError(message: "socket: \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw OracleError(message: "bind/listen: \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        self.fd = fd
        let ended = acceptLoopEnded
        thread = Thread {
            defer { ended.signal() }
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    return  // the listening socket was shut down
                }
                if behaviour == .garbage {
                    let junk: [UInt8] = Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8) + [UInt8](repeating: 0xFF, count: 64)
                    _ = junk.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                close(client)
            }
        }
        thread.start()
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Stops accepting and closes the socket, once: a second call (the deinit after a `defer`) must not close a
    /// descriptor number that another test has been given meanwhile.
    func stop() {
        let first = stopLock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(fd, Int32(SHUT_RDWR))  // wakes the blocked accept (EINVAL)
        acceptLoopEnded.wait()
        close(fd)
    }

    deinit { stop() }
}
