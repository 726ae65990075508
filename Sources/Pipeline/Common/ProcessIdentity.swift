import Foundation

/// A process as another process can check it: the kernel's boot id (`/proc/sys/kernel/random/boot_id`, new at
/// every boot of every machine), its PID namespace (`/proc/self/ns/pid`) and its PID. Written as
/// `<boot id>/<pid namespace>/<pid>`, e.g. `e67b4a52-…/pid:[4026531836]/4242`.
///
/// Only a process of the same boot and PID namespace can tell that the process has ended (no process has its PID
/// any more); anywhere else the answer is "cannot tell", never "ended". A PID reused by another process reads as
/// not ended.
public struct ProcessIdentity: Sendable, Equatable, CustomStringConvertible {
    let bootID: String
    let pidNamespace: String
    let pid: Int32

    /// This process; nil where `/proc` does not tell (not Linux).
    public static let current: ProcessIdentity? = {
        guard let boot = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8),
              let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid") else { return nil }
        return ProcessIdentity(bootID: boot.trimmingCharacters(in: .whitespacesAndNewlines), pidNamespace: namespace, pid: getpid())
    }()

    init(bootID: String, pidNamespace: String, pid: Int32) {
        self.bootID = bootID
        self.pidNamespace = pidNamespace
        self.pid = pid
    }

    /// Parses the written form; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, let pid = Int32(parts[2]), pid > 0 else { return nil }
        self.init(bootID: String(parts[0]), pidNamespace: String(parts[1]), pid: pid)
    }

    public var description: String { "\(bootID)/\(pidNamespace)/\(pid)" }

    /// Whether `observer` (a process of this machine) can tell that this process has ended: same boot and PID
    /// namespace, and no process with its PID exists.
    public func hasEnded(seenFrom observer: ProcessIdentity? = .current) -> Bool {
        guard let observer, observer.bootID == bootID, observer.pidNamespace == pidNamespace, pid != observer.pid else { return false }
        return kill(pid, 0) == -1 && errno == ESRCH
    }
}
