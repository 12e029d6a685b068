/// TCP ports in LISTEN state in the namespace read, from /proc/net/tcp and tcp6 (audit only needs the port set,
/// so the text tables suffice; live socket counting goes through netlink in SocketDiag).
public enum Listeners {
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
                  let port = Int(f[1][f[1].index(after: colon)...], radix: 16) else { continue }
            out.insert(port)
        }
        return out
    }
}
