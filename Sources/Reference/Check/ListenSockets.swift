import HostFacts

/// Counts listening TCP sockets on a port from /proc/net/tcp and tcp6 (one per process with SO_REUSEPORT),
/// so check knows when every server process it started is accepting.
public enum ListenSockets {
    public static func count(root: HostRoot, port: Int) -> Int {
        var n = 0
        for file in ["proc/net/tcp", "proc/net/tcp6"] {
            if let text = try? root.readText(file) { n += parse(text, port: port) }
        }
        return n
    }

    /// Lines look like "  0: 0100007F:1F90 00000000:0000 0A ..."; state 0A is LISTEN.
    public static func parse(_ text: String, port: Int) -> Int {
        var n = 0
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 3, f[3] == "0A", let colon = f[1].lastIndex(of: ":"),
                let p = Int(f[1][f[1].index(after: colon)...], radix: 16), p == port
            else { continue }
            n += 1
        }
        return n
    }
}
