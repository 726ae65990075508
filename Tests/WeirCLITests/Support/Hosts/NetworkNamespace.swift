import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Moves the calling thread into a named network namespace (`/var/run/netns/<name>`, as `ip netns add` makes
/// them). Sockets keep the namespace they were created in, so a thread that entered a namespace makes sockets
/// that listen and connect there whatever thread uses them later.
///
/// `setns(2)` is not exported by Swift's Glibc module (it needs `_GNU_SOURCE`); it is looked up with `dlsym`.
enum NetworkNamespace {
    /// `CLONE_NEWNET`: the namespace type `setns` checks the file descriptor against.
    private static let cloneNewNet: Int32 = 0x4000_0000
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private static let setns: SetNS? = dlsym(nil, "setns").map { unsafeBitCast($0, to: SetNS.self) }

    /// Moves the calling thread (only it) into namespace `name`; for a thread of its own that never goes back.
    /// - Throws: `TestHostsError` naming the namespace and the system error.
    static func enter(_ name: String) throws {
        guard let setns else { throw TestHostsError("setns(2) is not available in this C library") }
        let fd = open("/var/run/netns/" + name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TestHostsError("cannot open network namespace \(name): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard setns(fd, cloneNewNet) == 0 else {
            throw TestHostsError("cannot enter network namespace \(name): \(String(cString: strerror(errno)))")
        }
    }
}

/// A test host setup failure, with what failed and why.
struct TestHostsError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { "test hosts: " + message }
}
