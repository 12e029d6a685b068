import NIOCore

/// One upgraded WebSocket connection: the only handler left in its pipeline after the handshake. It parses
/// frames, reassembles fragments within `--max-message`, validates text, answers pings and the closing
/// handshake, echoes or broadcasts, and applies the outbound-queue policy. An idle connection holds no
/// buffer and no timer here: the loop's shared sweeps do heartbeats and close deadlines.
final class WebSocketConnection: ChannelInboundHandler, IntrusiveListNode {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase: UInt8 {
        case open
        /// The server sent a close frame and waits for the peer's.
        case closeSent
        /// A protocol failure: close frame sent, output shut, input discarded until the peer goes.
        case failing
        case closed
    }

    var listPrev: WebSocketConnection?
    var listNext: WebSocketConnection?
    var listTag: UInt8 = 0

    unowned let state: LoopState
    var context: ChannelHandlerContext?
    let endpoint: WebSocketEndpoint
    /// permessage-deflate, when `--deflate` is on and the client offered it; nil otherwise.
    let deflate: DeflateCodec?
    var phase = Phase.open
    /// Last time the peer sent anything (while open), or when the close handshake began (while closing).
    var lastSeenNanos: UInt64
    var lastCloseCode: UInt16?
    var holdsSlot = true
    /// Only while a frame or a fragmented message is incomplete; nil on an idle connection.
    private var reassembly: WebSocketReassembly?

    init(state: LoopState, endpoint: WebSocketEndpoint, deflate: PerMessageDeflateSettings? = nil) {
        self.state = state
        self.endpoint = endpoint
        self.deflate = deflate.map(DeflateCodec.init)
        self.lastSeenNanos = LoopState.nowNanos()
    }

    /// Bytes of a frame that has not fully arrived; nil between frames.
    var pending: ByteBuffer? {
        get { reassembly?.pending }
        set {
            if let newValue {
                reassemblyBox().pending = newValue
            } else if let r = reassembly {
                r.pending = nil
                if r.isEmpty { reassembly = nil }
            }
        }
    }

    /// A fragmented message being reassembled; nil otherwise.
    var message: ByteBuffer? {
        get { reassembly?.message }
        set {
            if let newValue {
                reassemblyBox().message = newValue
            } else if let r = reassembly {
                r.message = nil
                if r.isEmpty { reassembly = nil }
            }
        }
    }

    private var messageOpcode: UInt8 {
        get { reassembly?.messageOpcode ?? 0 }
        set { reassemblyBox().messageOpcode = newValue }
    }

    private var messageCompressed: Bool {
        get { reassembly?.messageCompressed ?? false }
        set { reassemblyBox().messageCompressed = newValue }
    }

    private func reassemblyBox() -> WebSocketReassembly {
        if let r = reassembly { return r }
        let r = WebSocketReassembly()
        reassembly = r
        return r
    }

    // MARK: lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        state.counters.activeConnections += 1
        state.counters.handshakes += 1
        if endpoint == .broadcast { state.broadcastClients.append(self) } else { state.echoClients.append(self) }
        if state.server.configuration.logConnections {
            // Id and start time live in the loop's log table, not in every connection.
            let id = state.server.makeConnectionID()
            state.logRecords[ObjectIdentifier(self)] = (id, lastSeenNanos)
            ConnectionLog.connect(id: id, remote: Self.describe(context.channel.remoteAddress), path: endpoint.path)
        }
        if !context.channel.isActive { finish() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    /// Runs once when the connection ends: unlinks it, frees its slot, logs.
    private func finish() {
        guard holdsSlot else { return }
        holdsSlot = false
        phase = .closed
        pending = nil
        message = nil
        _ = state.echoClients.remove(self) || state.broadcastClients.remove(self) || state.closingClients.remove(self)
        state.counters.activeConnections -= 1
        state.server.releaseSlot()
        if state.server.configuration.logConnections,
            let (id, connectedAtNanos) = state.logRecords.removeValue(forKey: ObjectIdentifier(self))
        {
            let ms = Int((LoopState.nowNanos() &- connectedAtNanos) / 1_000_000)
            ConnectionLog.disconnect(
                id: id, remote: Self.describe(context?.channel.remoteAddress), path: endpoint.path,
                durationMilliseconds: ms, closeCode: lastCloseCode)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Socket errors (reset by peer and the like): nothing to say to the peer, just close.
        closeNow()
    }

    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "unknown" }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        switch phase {
        case .failing, .closed: return
        case .open: lastSeenNanos = LoopState.nowNanos()
        case .closeSent: break
        }
        var buffer: ByteBuffer
        if var p = pending {
            pending = nil
            p.writeBuffer(&incoming)
            buffer = p
        } else {
            buffer = incoming
        }
        frames: while phase == .open || phase == .closeSent {
            switch WebSocketFrameHeader.parse(buffer, allowRSV1: deflate != nil) {
            case .needMoreBytes:
                break frames
            case .violation(let code, let reason):
                fail(code: code, reason: reason)
                return
            case .header(let header):
                if !header.isControl {
                    let assembled = message?.readableBytes ?? 0
                    if assembled + header.payloadLength > state.server.configuration.maxMessageBytes {
                        fail(code: WebSocketCloseCode.messageTooBig, reason: "message too big")
                        return
                    }
                }
                guard buffer.readableBytes >= header.headerLength + header.payloadLength else { break frames }
                buffer.moveReaderIndex(forwardBy: header.headerLength)
                var payload = buffer.readSlice(length: header.payloadLength)!
                if let key = header.maskKey { payload.webSocketUnmask(key) }
                handleFrame(header, payload: payload)
            }
        }
        if buffer.readableBytes > 0 && (phase == .open || phase == .closeSent) {
            // Keep the partial frame in a buffer of its own, so the channel can reuse its receive buffer.
            var own = context.channel.allocator.buffer(capacity: buffer.readableBytes)
            own.writeBuffer(&buffer)
            pending = own
        }
    }

    private func handleFrame(_ header: WebSocketFrameHeader, payload: ByteBuffer) {
        switch header.opcode {
        case WebSocketFrameHeader.text, WebSocketFrameHeader.binary:
            if message != nil {
                fail(code: WebSocketCloseCode.protocolError, reason: "new message inside a fragmented one")
            } else if header.fin {
                deliver(opcode: header.opcode, payload: payload, compressed: header.rsv1)
            } else {
                message = payload
                messageOpcode = header.opcode
                messageCompressed = header.rsv1
            }
        case WebSocketFrameHeader.continuation:
            guard var m = message else {
                fail(code: WebSocketCloseCode.protocolError, reason: "continuation without a message")
                return
            }
            if header.rsv1 {
                fail(code: WebSocketCloseCode.protocolError, reason: "RSV1 on a continuation frame")
                return
            }
            let compressed = messageCompressed
            // Take the message out (so appending does not copy it) and keep its opcode: clearing the last
            // partial state drops the reassembly object.
            let opcode = messageOpcode
            message = nil
            var p = payload
            m.writeBuffer(&p)
            if header.fin {
                deliver(opcode: opcode, payload: m, compressed: compressed)
            } else {
                message = m
                messageOpcode = opcode
                messageCompressed = compressed
            }
        case WebSocketFrameHeader.ping:
            state.counters.pingsReceived += 1
            guard phase == .open, let context else { return }
            // A pong counts against the send queue like every frame the server writes: a peer that pings
            // faster than it reads would otherwise grow the server without bound (a flood of pings from a
            // client with a 4 KB receive buffer reached 3.8 GB). It is closed with 1008, counted apart.
            guard context.channel.isWritable else {
                state.counters.controlFloodDisconnects += 1
                fail(code: WebSocketCloseCode.policyViolation, reason: "control frames faster than reading")
                // Stop reading its pings too (they would only be discarded): TCP then holds the peer back
                // until the close handshake's timeout closes the connection.
                try? context.channel.syncOptions?.setOption(.autoRead, value: false)
                return
            }
            let pong = WebSocketFrameWriter.frame(
                opcode: WebSocketFrameHeader.pong, payload: payload, allocator: context.channel.allocator)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case WebSocketFrameHeader.pong:
            state.counters.pongsReceived += 1
        case WebSocketFrameHeader.close:
            receivedClose(payload)
        default:
            fail(code: WebSocketCloseCode.protocolError, reason: "unknown opcode")
        }
    }

    private func deliver(opcode: UInt8, payload: ByteBuffer, compressed: Bool = false) {
        guard phase == .open, let context else { return }
        var payload = payload
        if compressed, let deflate {
            do {
                payload = try deflate.decompress(
                    payload, limit: state.server.configuration.maxMessageBytes, allocator: context.channel.allocator)
            } catch DeflateCodec.Failure.tooBig {
                fail(code: WebSocketCloseCode.messageTooBig, reason: "message too big")
                return
            } catch {
                fail(code: WebSocketCloseCode.protocolError, reason: "invalid deflate data")
                return
            }
        }
        if opcode == WebSocketFrameHeader.text && !UTF8Validation.isValid(payload) {
            fail(code: WebSocketCloseCode.invalidPayload, reason: "invalid UTF-8 in a text message")
            return
        }
        let n = payload.readableBytes
        state.counters.messagesIn += 1
        state.counters.bytesIn += n
        switch endpoint {
        case .echo:
            // Echoes are compressed for a client that negotiated permessage-deflate.
            var body = payload
            var compressedOut = false
            if let deflate, let c = try? deflate.compress(payload, allocator: context.channel.allocator) {
                body = c
                compressedOut = true
            }
            let frame = WebSocketFrameWriter.frame(
                opcode: opcode, payload: body, allocator: context.channel.allocator, compressed: compressedOut)
            send(frame: frame, payloadBytes: n)
        case .broadcast:
            // One uncompressed frame shared by every receiver (RFC 7692 lets a sender leave a message
            // uncompressed), instead of one compression per receiver.
            let frame = WebSocketFrameWriter.frame(
                opcode: opcode, payload: payload, allocator: context.channel.allocator)
            state.server.broadcast(frame, payloadBytes: n, from: state)
        }
    }

    private func receivedClose(_ payload: ByteBuffer) {
        var body = payload
        var code: UInt16 = 1005  // "no status code present" (RFC 6455 §7.4.1), never sent on the wire
        if body.readableBytes == 1 {
            fail(code: WebSocketCloseCode.protocolError, reason: "close frame with a 1-byte body")
            return
        }
        if body.readableBytes >= 2 {
            code = body.readInteger(as: UInt16.self)!
            guard WebSocketCloseCode.isValidOnTheWire(code) else {
                fail(code: WebSocketCloseCode.protocolError, reason: "invalid close code \(code)")
                return
            }
            guard UTF8Validation.isValid(body) else {
                fail(code: WebSocketCloseCode.invalidPayload, reason: "invalid UTF-8 in the close reason")
                return
            }
        }
        state.counters.closesReceived[code, default: 0] += 1
        switch phase {
        case .open:
            // The peer started the closing handshake: answer with its code, then the server closes TCP first.
            guard let context else { return }
            lastCloseCode = code
            phase = .closeSent
            moveToClosing()
            var reply = context.channel.allocator.buffer(capacity: 4)
            if code == 1005 {
                reply.writeBytes([0x88, 0x00])
            } else {
                reply = WebSocketFrameWriter.close(code: code, reason: "", allocator: context.channel.allocator)
            }
            state.counters.closesSent[code, default: 0] += 1
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { [weak self] _ in self?.closeNow() }
        case .closeSent:
            // The peer answered our close: the handshake is complete.
            closeNow()
        case .failing, .closed:
            break
        }
    }

    // MARK: outbound

    /// Writes one encoded frame unless the outbound queue is over `--send-queue`; then drops or disconnects.
    func send(frame: ByteBuffer, payloadBytes: Int) {
        guard phase == .open, let context else { return }
        if !context.channel.isWritable {
            switch state.server.configuration.onOverflow {
            case .drop:
                state.counters.slowConsumerDrops += 1
            case .disconnect:
                state.counters.slowConsumerDisconnects += 1
                closeNow()
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        state.counters.messagesOut += 1
        state.counters.bytesOut += payloadBytes
    }

    func sendPing(_ frame: ByteBuffer) {
        guard phase == .open, let context, context.channel.isWritable else { return }
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        state.counters.pingsSent += 1
    }

    var bufferedOutboundBytes: Int {
        guard let context else { return 0 }
        return (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }
}
