import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The kind of a failed or lost connection, as the report counts them. Each names the limit it points at.
public enum ConnectionFailure: String, Sendable, Codable, CaseIterable, Comparable {
    /// EMFILE/ENFILE in the load client: its own fd limit.
    case emfile = "EMFILE"
    /// EADDRNOTAVAIL (or EADDRINUSE on bind): no free ephemeral port for this source address and destination.
    case eaddrnotavail = "EADDRNOTAVAIL"
    /// ECONNREFUSED: nothing listening (server down, or the listen queue dropped us with a reset).
    case econnrefused = "ECONNREFUSED"
    /// ECONNRESET, EPIPE during the handshake.
    case connectionReset = "ECONNRESET"
    /// TCP connect did not finish in time (SYNs dropped: listen queue full, conntrack full, firewall).
    case connectTimeout = "connect-timeout"
    /// Connected, but the HTTP upgrade did not answer in time (server not accepting: fd limit, overload).
    case handshakeTimeout = "handshake-timeout"
    /// HTTP 503 instead of 101: the server's connection cap or draining.
    case http503 = "HTTP-503"
    /// HTTP 403 instead of 101: origin refused.
    case http403 = "HTTP-403"
    /// Another HTTP status instead of 101.
    case httpOther = "HTTP-other"
    /// The peer closed before the handshake finished, or during the hold.
    case closedByPeer = "closed-by-peer"
    /// ENOBUFS/ENOMEM: kernel memory.
    case enobufs = "ENOBUFS"
    /// Anything else.
    case other = "other"

    public static func < (a: ConnectionFailure, b: ConnectionFailure) -> Bool { a.rawValue < b.rawValue }

    /// Classifies an error from connect, bind or the handshake.
    public static func classify(_ error: Error) -> ConnectionFailure {
        if let f = error as? HandshakeFailure { return f.kind }
        if let io = error as? IOError { return classify(errno: io.errnoCode) }
        if error is ChannelError {
            switch error as! ChannelError {
            case .connectTimeout: return .connectTimeout
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return .closedByPeer
            default: return .other
            }
        }
        if let c = error as? NIOConnectionError {
            if let first = c.connectionErrors.first { return classify(first.error) }
            if let d = c.dnsAError ?? c.dnsAAAAError { return classify(d) }
            return .other
        }
        if error is NIOHTTPClientUpgradeError { return .httpOther }
        if error is HTTPParserError { return .httpOther }
        return .other
    }

    public static func classify(errno e: Int32) -> ConnectionFailure {
        switch e {
        case EMFILE, ENFILE: return .emfile
        case EADDRNOTAVAIL, EADDRINUSE: return .eaddrnotavail
        case ECONNREFUSED: return .econnrefused
        case ECONNRESET, EPIPE, ECONNABORTED: return .connectionReset
        case ETIMEDOUT: return .connectTimeout
        case ENOBUFS, ENOMEM: return .enobufs
        default: return .other
        }
    }

    /// One line on what this kind means for the host.
    public var meaning: String {
        switch self {
        case .emfile: return "the load client ran out of file descriptors (its RLIMIT_NOFILE or fs.file-max)"
        case .eaddrnotavail:
            return "no free ephemeral port for a source address (net.ipv4.ip_local_port_range; add --source addresses)"
        case .econnrefused: return "connection refused: nothing listening, or the server exited"
        case .connectionReset: return "connection reset during the handshake"
        case .connectTimeout: return "TCP connect timed out: SYNs dropped (listen queue, conntrack table, firewall)"
        case .handshakeTimeout:
            return "no HTTP upgrade answer in time: the server is not accepting (fd limit, overload)"
        case .http503: return "HTTP 503: the server's connection cap or drain"
        case .http403: return "HTTP 403: the server refused the origin"
        case .httpOther: return "an HTTP answer other than 101 Switching Protocols"
        case .closedByPeer: return "closed by the peer"
        case .enobufs: return "ENOBUFS/ENOMEM: kernel memory for sockets ran out (tcp_mem, memory pressure)"
        case .other: return "another error"
        }
    }
}

/// A handshake that ended without a WebSocket: carries the kind and, for HTTP answers, the status code.
public struct HandshakeFailure: Error, Equatable {
    public let kind: ConnectionFailure
    public let status: Int?

    public init(kind: ConnectionFailure, status: Int? = nil) {
        self.kind = kind
        self.status = status
    }

    public static func http(_ status: Int) -> HandshakeFailure {
        switch status {
        case 503: return HandshakeFailure(kind: .http503, status: status)
        case 403: return HandshakeFailure(kind: .http403, status: status)
        default: return HandshakeFailure(kind: .httpOther, status: status)
        }
    }
}
