import Foundation

/// Free TCP ports on 127.0.0.1, taken by binding port 0 and released together, so one call never returns the
/// same port twice. (Another process may still take one before its user binds it; callers retry a start.)
public enum FreePorts {
    public static func allocate(_ count: Int) throws -> [Int] {
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SeaweedError("socket() failed: \(String(cString: strerror(errno)))") }
            descriptors.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw SeaweedError("bind() failed: \(String(cString: strerror(errno)))") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

extension FreePorts {
    /// A free port `p` whose `p + offset` is free too (for servers that derive one port from another).
    public static func allocatePair(offset: Int) throws -> (Int, Int) {
        for _ in 0..<50 {
            let candidate = try allocate(1)[0]
            guard candidate + offset <= 65_535 else { continue }
            if let held = try? hold(candidate + offset) { close(held); return (candidate, candidate + offset) }
        }
        throw SeaweedError("found no free port pair \(offset) apart on 127.0.0.1")
    }

    /// Binds `port` on 127.0.0.1 and returns the socket (the caller closes it); throws if it is taken.
    static func hold(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); throw SeaweedError("port \(port) is taken") }
        return fd
    }
}

/// A failure of the SeaweedFS test support (start, probe, stop); the message carries the server's log tail.
public struct SeaweedError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = "weir test support: " + description }
}
