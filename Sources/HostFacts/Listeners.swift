/// TCP ports in LISTEN state in the namespace read. On the live root the caller hands in a netlink reader
/// (SocketDiag's `ListeningPorts`: a LISTEN-only sock_diag dump, whose cost does not grow with established
/// sockets); under any other root, and when that reader fails, the text tables /proc/net/tcp and tcp6.
public enum Listeners {
    /// Listening ports of the live host's current network namespace (HostFacts imports no netlink).
    public typealias LivePorts = @Sendable () throws -> [Int]

    /// `live` on the live root (falling back to the text tables if it throws); the text tables elsewhere.
    public static func readPorts(root: HostRoot, live: LivePorts?) throws -> [Int] {
        if root.isLiveRoot, let live, let ports = try? live() { return ports }
        return try readPorts(root: root)
    }

    /// From /proc/net/tcp and tcp6 under the root (a fixture tree, a copied host; slow on a loaded live host).
    public static func readPorts(root: HostRoot) throws -> [Int] {
        var ports = Set<Int>()
        for file in ["proc/net/tcp", "proc/net/tcp6"] {
            if let text = try root.readText(file) { ports.formUnion(parse(text)) }
        }
        return ports.sorted()
    }

    /// Rows: "sl local_address rem_address st ..."; local "0100007F:1F90", state 0A = LISTEN.
    public static func parse(_ text: String) -> Set<Int> {
        var out = Set<Int>()
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            guard f.count > 3, f[3] == "0A", let colon = f[1].lastIndex(of: ":"),
                let port = Int(f[1][f[1].index(after: colon)...], radix: 16)
            else { continue }
            out.insert(port)
        }
        return out
    }
}
