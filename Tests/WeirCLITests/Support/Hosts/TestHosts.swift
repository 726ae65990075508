import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Several "hosts" on this machine for multi-host tests (issue 19): each host is a network namespace
/// `weir-test-<pid>-<i>` with one link, a veth pair whose root end is a port of the bridge `wt<pid>br`. The
/// bridge has the service address `10.231.<x>.1/24` (x picked so that no address of this machine collides); host i
/// has `10.231.<x>.<11+i>` on its `eth0` and reaches the service address on that link (the subnet is on-link, and
/// there is no other route: a host reaches only the services and the other hosts).
///
/// Services listen on `serviceAddress` (PostgreSQL) or, when they can listen on loopback only (librdkafka's mock
/// brokers), are forwarded with `forwardLoopback(ports:)`: inside every host 127.0.0.1:port relays over the
/// host's link to the service address, and from there to the root namespace's 127.0.0.1:port (`TCPRelay`).
/// A process runs on a host with `command(on:_:_:)` (`ip netns exec`, which execs in place: the PID is the
/// process's own). `cut(_:)` takes the root end of a host's link down (its traffic is lost, as between machines
/// whose cable is pulled) and `restore(_:)` brings it back.
///
/// Running needs root and iproute2 (`unavailableReason`). `remove()` deletes the namespaces, links and relays;
/// objects a crashed earlier test process left behind (named after a PID that no longer runs) are deleted when
/// hosts are made. One set of hosts per process at a time.
final class TestHosts: @unchecked Sendable {
    struct Host: Sendable {
        let index: Int
        let namespace: String
        let address: String
        /// The root end of the host's link: `cut` and `restore` act on it.
        let link: String
    }

    let hosts: [Host]
    /// The root side's address on the bridge, where the hosts reach the services.
    let serviceAddress: String
    /// The hosts' subnet (CIDR), e.g. for pg_hba.conf.
    let subnet: String
    let bridge: String
    private let lock = NSLock()
    private var relays: [TCPRelay] = []
    private var removed = false
    nonisolated(unsafe) private static var live = false
    private static let liveLock = NSLock()

    /// Why hosts cannot be made here, or nil when they can.
    static var unavailableReason: String? {
        guard getuid() == 0 else {
            return "the multi-host tests make network namespaces (ip netns) and need root: run the tests as root, or in a container with CAP_NET_ADMIN and CAP_SYS_ADMIN"
        }
        guard IPCommand.path != nil else { return "the multi-host tests need iproute2's ip: apt-get install iproute2 (scripts/setup does)" }
        do { try IPCommand.run(["netns", "list"]) } catch { return "ip netns does not work here: \(error)" }
        return nil
    }

    /// Makes `count` hosts (1...200).
    /// - Throws: `TestHostsError` when another set of hosts exists in this process, or an `ip` command fails
    ///   (what was made is removed first).
    init(count: Int) throws {
        precondition((1...200).contains(count))
        Self.removeStale()
        let pid = getpid()
        let octet = try Self.freeOctet(startingAt: Int(pid) % 250)
        subnet = "10.231.\(octet).0/24"
        serviceAddress = "10.231.\(octet).1"
        bridge = "wt\(pid)br"
        hosts = (0..<count).map { Host(index: $0, namespace: "weir-test-\(pid)-\($0)", address: "10.231.\(octet).\(11 + $0)", link: "wt\(pid)h\($0)") }
        try Self.liveLock.withLock {
            guard !Self.live else {
                removed = true  // nothing of this set was made: remove() must not delete the live set's objects
                throw TestHostsError("one set of test hosts per process at a time")
            }
            Self.live = true
        }
        do {
            try IPCommand.run(["link", "add", bridge, "type", "bridge"])
            try IPCommand.run(["addr", "add", serviceAddress + "/24", "dev", bridge])
            try IPCommand.run(["link", "set", bridge, "up"])
            for host in hosts {
                try IPCommand.run(["netns", "add", host.namespace])
                try IPCommand.run(["link", "add", host.link, "type", "veth", "peer", "name", "eth0", "netns", host.namespace])
                try IPCommand.run(["link", "set", host.link, "master", bridge])
                try IPCommand.run(["link", "set", host.link, "up"])
                try IPCommand.run(["-n", host.namespace, "addr", "add", host.address + "/24", "dev", "eth0"])
                try IPCommand.run(["-n", host.namespace, "link", "set", "eth0", "up"])
                try IPCommand.run(["-n", host.namespace, "link", "set", "lo", "up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    /// Makes the root namespace's loopback services on `ports` reachable from every host at 127.0.0.1:port,
    /// through the host's link (see the type's documentation).
    /// - Throws: `TestHostsError` when a relay cannot listen (a port is taken on the service address or in a host).
    func forwardLoopback(ports: [Int]) throws {
        for port in ports {
            let root = try TCPRelay(namespace: nil, listen: (serviceAddress, port), target: ("127.0.0.1", port))
            lock.withLock { relays.append(root) }
            for host in hosts {
                let inside = try TCPRelay(namespace: host.namespace, listen: ("127.0.0.1", port), target: (serviceAddress, port))
                lock.withLock { relays.append(inside) }
            }
        }
    }

    /// The command line that runs `executable` with `arguments` on host `index`: (`ip`, [netns exec …]).
    func command(on index: Int, _ executable: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        (IPCommand.path ?? "ip", ["netns", "exec", hosts[index].namespace, executable] + arguments)
    }

    /// Cuts host `index` off: the root end of its link goes down, and everything it sends or is sent is lost.
    func cut(_ index: Int) throws { try IPCommand.run(["link", "set", hosts[index].link, "down"]) }

    /// Reconnects host `index` after `cut`.
    func restore(_ index: Int) throws { try IPCommand.run(["link", "set", hosts[index].link, "up"]) }

    /// Stops the relays and deletes the namespaces (with their links) and the bridge. Idempotent.
    func remove() {
        let (first, stopping) = lock.withLock { () -> (Bool, [TCPRelay]) in
            defer { removed = true; relays = [] }
            return (!removed, relays)
        }
        guard first else { return }
        for relay in stopping { relay.stop() }
        // Deleting a namespace destroys its veth pairs asynchronously (the kernel's namespace cleanup runs later),
        // so the root ends are deleted first, which removes both ends at once.
        for host in hosts { _ = try? IPCommand.run(["link", "delete", host.link]) }
        for host in hosts { _ = try? IPCommand.run(["netns", "delete", host.namespace]) }
        _ = try? IPCommand.run(["link", "delete", bridge])
        Self.liveLock.withLock { Self.live = false }
    }

    /// Deletes namespaces `weir-test-<pid>-…` and links `wt<pid>br` / `wt<pid>h<i>` whose PID no longer runs.
    static func removeStale() {
        let namespaces = ((try? IPCommand.run(["netns", "list"])) ?? "").split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        for name in namespaces {
            let parts = name.split(separator: "-")
            guard parts.count == 4, parts[0] == "weir", parts[1] == "test", let pid = Int32(parts[2]), !isRunning(pid) else { continue }
            _ = try? IPCommand.run(["netns", "delete", name])
        }
        let links = ((try? IPCommand.run(["-o", "link", "show"])) ?? "").split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            return String(fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? "")
        }
        for name in links {
            guard let match = name.wholeMatch(of: /wt([0-9]+)(br|h[0-9]+)/), let pid = Int32(match.1), !isRunning(pid) else { continue }
            _ = try? IPCommand.run(["link", "delete", name])
        }
    }

    private static func isRunning(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }

    /// A third octet x such that no address of this machine is in 10.231.x.0/24.
    private static func freeOctet(startingAt start: Int) throws -> Int {
        let addresses = try IPCommand.run(["-4", "-o", "addr", "show"]) + (try IPCommand.run(["-4", "route", "show"]))
        for step in 0..<250 {
            let x = (start + step) % 250 + 1
            if !addresses.contains("10.231.\(x).") { return x }
        }
        throw TestHostsError("no free /24 in 10.231.0.0/16")
    }
}
