/// A TCP socket state as the kernel numbers it (include/net/tcp_states.h), named the way `ss` names it.
public enum TCPState: Int, CaseIterable, Sendable, Codable, Comparable {
    case established = 1
    case synSent = 2
    case synRecv = 3
    case finWait1 = 4
    case finWait2 = 5
    case timeWait = 6
    case close = 7
    case closeWait = 8
    case lastAck = 9
    case listen = 10
    case closing = 11

    /// The name `ss` accepts in a state filter (`ss state time-wait`, `ss state listening`).
    public var name: String {
        switch self {
        case .established: return "established"
        case .synSent: return "syn-sent"
        case .synRecv: return "syn-recv"
        case .finWait1: return "fin-wait-1"
        case .finWait2: return "fin-wait-2"
        case .timeWait: return "time-wait"
        case .close: return "closed"
        case .closeWait: return "close-wait"
        case .lastAck: return "last-ack"
        case .listen: return "listening"
        case .closing: return "closing"
        }
    }

    /// Parses an `ss` state name; also accepts upper case and underscores (`TIME_WAIT`, `SYN-RECV`).
    public init?(name: String) {
        let n = String(name.lowercased().map { $0 == "_" ? "-" : $0 })
        let aliases = [
            "unconnected": "closed", "close": "closed", "listen": "listening", "fin-wait1": "fin-wait-1",
            "fin-wait2": "fin-wait-2", "estab": "established",
        ]
        let key = aliases[n] ?? n
        guard let s = TCPState.allCases.first(where: { $0.name == key }) else { return nil }
        self = s
    }

    /// This state's bit in inet_diag_req_v2.idiag_states.
    public var maskBit: UInt32 { 1 << UInt32(rawValue) }

    public static func < (a: TCPState, b: TCPState) -> Bool { a.rawValue < b.rawValue }

    /// Every state, as one mask.
    public static let allMask: UInt32 = TCPState.allCases.reduce(0) { $0 | $1.maskBit }
}

extension Array where Element == TCPState {
    /// The idiag_states mask selecting these states.
    public var diagMask: UInt32 { reduce(0) { $0 | $1.maskBit } }
}
