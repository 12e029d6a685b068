import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

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
    /// Another HTTP status instead of 101 (reported by status: "HTTP-500", see `reportKey`).
    case httpOther = "HTTP-other"
    /// After the upgrade the server sent what RFC 6455 forbids (reserved bits or opcodes, a masked frame, a
    /// frame longer than the client accepts, bytes that are no frame), or its 101 was not a valid upgrade.
    case protocolError = "protocol-error"
    /// Open clients the broadcast did not reach (counted per client).
    case broadcastUndelivered = "broadcast-undelivered"
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
        if error is ProtocolViolation { return .protocolError }
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
        if error is NIOHTTPClientUpgradeError { return .protocolError }
        if error is HTTPParserError || error is NIOWebSocketError || error is ByteToMessageDecoderError {
            return .protocolError
        }
        return .other
    }

    /// The error as a sentence for people (no type dumps), for the report's "first:" evidence.
    public static func describe(_ error: Error) -> String {
        switch error {
        case let f as HandshakeFailure: return f.description
        case let p as ProtocolViolation: return p.description
        case let io as IOError:
            return "\(String(cString: strerror(io.errnoCode))) (\(errnoName(io.errnoCode)))"
        case let c as NIOConnectionError:
            if let first = c.connectionErrors.first { return describe(first.error) }
            if let d = c.dnsAError ?? c.dnsAAAAError { return "name lookup failed: \(describe(d))" }
            return "connect failed"
        case let c as ChannelError:
            switch c {
            case .connectTimeout: return "the TCP connect timed out"
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed:
                return "the connection was closed"
            default: return "channel error"
            }
        case let w as NIOWebSocketError:
            switch w {
            case .invalidFrameLength: return "the server sent a frame longer than the client accepts"
            case .fragmentedControlFrame: return "the server sent a fragmented control frame"
            case .multiByteControlFrameLength: return "the server sent a control frame longer than 125 bytes"
            }
        case is HTTPParserError: return "the server's answer was not valid HTTP"
        case let u as NIOHTTPClientUpgradeError:
            return u == .upgraderDeniedUpgrade
                ? "the 101 answer was not a valid WebSocket upgrade (Sec-WebSocket-Accept or headers)"
                : "the upgrade went wrong (\(u))"
        default: return String(describing: type(of: error))
        }
    }

    static func errnoName(_ e: Int32) -> String {
        switch e {
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case EADDRINUSE: return "EADDRINUSE"
        case ECONNREFUSED: return "ECONNREFUSED"
        case ECONNRESET: return "ECONNRESET"
        case EPIPE: return "EPIPE"
        case ECONNABORTED: return "ECONNABORTED"
        case ETIMEDOUT: return "ETIMEDOUT"
        case ENOBUFS: return "ENOBUFS"
        case ENOMEM: return "ENOMEM"
        default: return "errno \(e)"
        }
    }

    /// The key a failure is counted under in the report: the kind, or "HTTP-<status>" for other statuses.
    public static func reportKey(_ error: Error) -> String {
        if let f = error as? HandshakeFailure, f.kind == .httpOther, let status = f.status { return "HTTP-\(status)" }
        return classify(error).rawValue
    }

    /// The kind counted under a report key ("HTTP-500" is `.httpOther`); nil for an unknown key.
    public static func kind(ofReportKey key: String) -> ConnectionFailure? {
        if let k = ConnectionFailure(rawValue: key) { return k }
        if key.hasPrefix("HTTP-"), Int(key.dropFirst(5)) != nil { return .httpOther }
        return nil
    }

    /// One line on what the failures under a report key mean ("HTTP-500" names its status).
    public static func meaning(ofReportKey key: String) -> String {
        guard let kind = kind(ofReportKey: key) else { return "" }
        if kind == .httpOther, let status = Int(key.dropFirst(5)) {
            return
                "HTTP \(status) (\(HTTPResponseStatus(statusCode: status).reasonPhrase)) instead of 101 Switching Protocols"
        }
        return kind.meaning
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
        case .protocolError:
            return "the server broke the WebSocket protocol (RFC 6455): a frame or upgrade the client cannot accept"
        case .broadcastUndelivered: return "open clients that never received the broadcast"
        case .enobufs: return "ENOBUFS/ENOMEM: kernel memory for sockets ran out (tcp_mem, memory pressure)"
        case .other: return "another error"
        }
    }
}

/// A handshake that ended without a WebSocket: carries the kind and, for HTTP answers, the status code.
public struct HandshakeFailure: Error, Equatable, CustomStringConvertible {
    public let kind: ConnectionFailure
    public let status: Int?

    public init(kind: ConnectionFailure, status: Int? = nil) {
        self.kind = kind
        self.status = status
    }

    public var description: String {
        if let status {
            return
                "HTTP \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase) instead of 101 Switching Protocols"
        }
        switch kind {
        case .handshakeTimeout: return "no answer to the upgrade request in time"
        case .closedByPeer: return "the server closed the connection before answering the upgrade"
        default: return kind.meaning
        }
    }

    public static func http(_ status: Int) -> HandshakeFailure {
        switch status {
        case 503: return HandshakeFailure(kind: .http503, status: status)
        case 403: return HandshakeFailure(kind: .http403, status: status)
        default: return HandshakeFailure(kind: .httpOther, status: status)
        }
    }
}

/// A frame from the server that RFC 6455 forbids; found by the load client's connection handler.
public struct ProtocolViolation: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
