import Foundation

/// Whether a test host gets an answer from a service: a Python client inside the host's namespace connects to
/// `address:port`, sends the service's greeting (a request it answers) and waits up to 3 s for a first byte.
///
/// A host whose link is cut either cannot connect (a service on the service address) or reaches the relay inside
/// its own namespace, which accepts and then closes without a byte or stays silent, because the relay's own
/// connection over the link fails (a loopback service forwarded with `TestHosts.forwardLoopback`): in every case
/// no byte of the service reaches it, which is what `answered` tells.
struct ServiceProbe: Sendable {
    let name: String
    let address: String
    let port: Int
    /// The bytes that make the service answer (empty: it speaks first).
    let greeting: [UInt8]

    /// A service that speaks first.
    static func speaking(_ name: String, address: String = "127.0.0.1", port: Int) -> ServiceProbe {
        ServiceProbe(name: name, address: address, port: port, greeting: [])
    }

    /// An HTTP server (an S3 endpoint answers any request, here with an error document).
    static func http(_ name: String, address: String = "127.0.0.1", port: Int) -> ServiceProbe {
        ServiceProbe(name: name, address: address, port: port, greeting: Array("HEAD / HTTP/1.0\r\n\r\n".utf8))
    }

    /// PostgreSQL: an SSLRequest, which the server answers with one byte (`S` or `N`).
    static func postgres(address: String, port: Int) -> ServiceProbe {
        ServiceProbe(name: "PostgreSQL", address: address, port: port, greeting: [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F])
    }

    /// A Kafka broker: ApiVersions v0 (correlation id 1, no client id), which every broker answers.
    static func kafka(port: Int) -> ServiceProbe {
        ServiceProbe(name: "broker :\(port)", address: "127.0.0.1", port: port,
                     greeting: [0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF])
    }

    /// What host `index` got: `answered` with the first bytes (as text, lossy), or not with the error.
    func probe(from index: Int, of hosts: TestHosts) async throws -> (answered: Bool, detail: String) {
        let (executable, arguments) = hosts.command(on: index, RepoPaths.python, ["-c", """
            import socket, sys
            try:
                s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
                s.sendall(bytes.fromhex(sys.argv[3]))
                data = s.recv(16)
                print(("answered " + data.decode("latin-1")) if data else "closed without a byte")
            except OSError as e:
                print("failed:", e)
            """, address, String(port), greeting.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()])
        let (_, out, err) = try await ChildProcess.run(executable, arguments, timeout: .seconds(60))
        let detail = (out + err).trimmingCharacters(in: .whitespacesAndNewlines)
        return (detail.hasPrefix("answered "), detail)
    }

    /// The probes of `probes` (run side by side) that host `index` gets an answer from (as "name address:port:
    /// detail"), or does not get one from when `answered` is false.
    static func mismatches(_ probes: [ServiceProbe], from index: Int, of hosts: TestHosts, answered: Bool) async throws -> [String] {
        try await withThrowingTaskGroup(of: String?.self) { group in
            for probe in probes {
                group.addTask {
                    let result = try await probe.probe(from: index, of: hosts)
                    return result.answered == answered ? nil : "\(probe.name) \(probe.address):\(probe.port): \(result.detail)"
                }
            }
            return try await group.reduce(into: [String]()) { if let wrong = $1 { $0.append(wrong) } }
        }
    }
}
