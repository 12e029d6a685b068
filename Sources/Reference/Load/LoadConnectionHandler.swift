import Foundation
import NIOCore
import NIOWebSocket

/// One open WebSocket of the load client: answers pings, measures echo round trips and broadcast fan-out
/// latency from timestamps carried in the payload, and counts a close it did not ask for as "closed by peer".
///
/// Payload layout (binary frames): byte 0 is the tag, 'E' echo (then the sender's monotonic nanoseconds) or
/// 'B' broadcast (then wall-clock nanoseconds and the round number), padding after.
final class LoadConnectionHandler: ChannelInboundHandler, IntrusiveListNode, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let echoTag: UInt8 = 0x45
    static let broadcastTag: UInt8 = 0x42

    private let stats: LoadStats
    private(set) var channel: Channel?
    /// Set by the stats lock holder only (broadcast bookkeeping).
    var receivedBroadcast = false
    var closingByUs = false
    private var peerClosed = false
    /// The server broke the protocol; the client closed the connection because of it.
    private var violation: Error?
    /// The socket error that ended the connection, if one did (evidence for closed-by-peer).
    private var socketError: Error?
    private var peerCloseCode: UInt16?
    /// Echo traffic comes from the loop's wheel (`LoadLoop.addEcho`), not from a timer per connection.
    let loop: LoadLoop
    var listPrev: LoadConnectionHandler?
    var listNext: LoadConnectionHandler?
    var listTag: UInt8 = 0

    init(stats: LoadStats, loop: LoadLoop) {
        self.stats = stats
        self.loop = loop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        channel = context.channel
    }

    /// Starts echo messages at `perSecond` (the loop's wheel; the first after a random part of the interval).
    func startEcho(perSecond: Double, sizeBytes: Int) {
        guard perSecond > 0, let channel else { return }
        channel.eventLoop.execute {
            guard !self.closingByUs, channel.isActive else { return }
            self.loop.addEcho(self, perSecond: perSecond, sizeBytes: sizeBytes)
        }
    }

    /// One echo message, stamped with the monotonic clock (the wheel calls it once per interval).
    func sendEcho(sizeBytes: Int) {
        sendTagged(Self.echoTag, DispatchTime.now().uptimeNanoseconds, 0, sizeBytes: sizeBytes)
        stats.noteEchoSent()
    }

    /// Sends one broadcast message stamped with wall-clock time (comparable across processes on one host).
    func sendBroadcast(round: UInt64, sizeBytes: Int) {
        guard let channel else { return }
        channel.eventLoop.execute {
            self.sendTagged(Self.broadcastTag, Self.wallClockNanos(), round, sizeBytes: sizeBytes)
        }
    }

    /// Sends a close frame (1000) and closes the channel.
    func close() {
        guard let channel else { return }
        channel.eventLoop.execute { self.closeOnLoop() }
    }

    /// `close` on the connection's event loop (the loop closes its connections in one batch: `LoadLoop.close`).
    func closeOnLoop() {
        guard let channel else { return }
        closingByUs = true
        loop.removeEcho(self)
        var buffer = channel.allocator.buffer(capacity: 2)
        buffer.writeInteger(UInt16(1000))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: loop.maskKey(), data: buffer)
        channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
    }

    static func wallClockNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private func sendTagged(_ tag: UInt8, _ stamp: UInt64, _ round: UInt64, sizeBytes: Int) {
        guard let channel, channel.isActive else { return }
        var buffer = channel.allocator.buffer(capacity: sizeBytes)
        buffer.writeInteger(tag)
        buffer.writeInteger(stamp)
        buffer.writeInteger(round)
        if sizeBytes > 17 { buffer.writeRepeatingByte(0x2e, count: sizeBytes - 17) }
        let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: loop.maskKey(), data: buffer)
        channel.writeAndFlush(frame, promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if let problem = Self.violation(in: frame) {
            failProtocol(context: context, ProtocolViolation(problem))
            return
        }
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: loop.maskKey(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .binary, .text:
            var payload = frame.unmaskedData
            guard let tag: UInt8 = payload.readInteger(), let stamp: UInt64 = payload.readInteger() else { return }
            if tag == Self.echoTag {
                stats.echoLatency.recordSince(uptimeNanos: stamp)
            } else if tag == Self.broadcastTag {
                let now = Self.wallClockNanos()
                stats.noteBroadcastReceived(by: self, latencyMicros: now > stamp ? (now - stamp) / 1000 : 0)
            }
        case .connectionClose:
            if !closingByUs {
                peerClosed = true
                closingByUs = true
                var code = frame.unmaskedData
                peerCloseCode = code.getInteger(at: code.readerIndex, as: UInt16.self)
                let reply = WebSocketFrame(
                    fin: true, opcode: .connectionClose, maskKey: loop.maskKey(),
                    data: code.readSlice(length: min(2, code.readableBytes))
                        ?? context.channel.allocator.buffer(capacity: 0))
                context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in context.close(promise: nil) }
            }
        default:
            break
        }
    }

    /// What RFC 6455 forbids in a frame from a server to a client that negotiated no extension (§5.2, §5.1).
    static func violation(in frame: WebSocketFrame) -> String? {
        if frame.rsv1 || frame.rsv2 || frame.rsv3 { return "the server set reserved bits (RSV) no extension allows" }
        switch frame.opcode {
        case .continuation, .text, .binary, .connectionClose, .ping, .pong: break
        default: return "the server sent a frame with the reserved opcode \(UInt8(webSocketOpcode: frame.opcode))"
        }
        if frame.maskKey != nil { return "the server sent a masked frame (servers must not mask)" }
        if frame.opcode == .connectionClose {
            // §5.5.1, §7.4: no body, or a valid code and a UTF-8 reason.
            var body = frame.data
            if body.readableBytes == 1 { return "the server sent a close frame with a 1-byte body" }
            if let code = body.readInteger(as: UInt16.self) {
                if !WebSocketCloseCode.isValidOnTheWire(code) {
                    return "the server sent a close frame with the invalid code \(code)"
                }
                if !UTF8Validation.isValid(body) { return "the server sent a close reason that is not UTF-8" }
            }
        }
        return nil
    }

    /// Closes the connection over a protocol error (1002, as RFC 6455 §7.1.7 asks); counted as protocol-error.
    private func failProtocol(context: ChannelHandlerContext, _ error: Error) {
        guard violation == nil else { return }
        violation = error
        closingByUs = true
        loop.removeEcho(self)
        var buffer = context.channel.allocator.buffer(capacity: 2)
        buffer.writeInteger(UInt16(1002))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: loop.maskKey(), data: buffer)
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        loop.removeEcho(self)
        stats.noteDisconnected(
            self, byPeer: peerClosed || !closingByUs, protocolError: violation,
            evidence: peerClosed
                ? "the server sent a close frame (code \(peerCloseCode.map(String.init) ?? "none"))"
                : socketError.map(ConnectionFailure.describe)
                    ?? "the server closed the TCP connection without a close frame")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Frame decoding errors (a length past the limit, a fragmented or long control frame) are the server's
        // protocol errors; socket errors just end the connection (closed by peer).
        if ConnectionFailure.classify(error) == .protocolError {
            failProtocol(context: context, error)
        } else {
            socketError = socketError ?? error
            context.close(promise: nil)
        }
    }
}
