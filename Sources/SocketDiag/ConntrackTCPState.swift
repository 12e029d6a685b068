/// A conntrack TCP state (linux/netfilter/nf_conntrack_tcp.h), named as `conntrack -L` prints it.
public enum ConntrackTCPState: Int, CaseIterable, Sendable, Comparable {
    case none = 0
    case synSent, synRecv, established, finWait, closeWait, lastAck, timeWait, close, synSent2

    /// `conntrack -L`'s spelling (lib/libnetfilter_conntrack's tcp state names).
    public var name: String {
        [
            "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
            "SYN_SENT2",
        ][rawValue]
    }

    public init?(name: String) {
        guard let s = ConntrackTCPState.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = s
    }

    public static func < (a: ConntrackTCPState, b: ConntrackTCPState) -> Bool { a.rawValue < b.rawValue }
}
