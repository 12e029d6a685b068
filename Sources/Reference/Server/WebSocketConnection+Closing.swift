import NIOCore

/// The closing side of a connection: the closing handshake the server starts (drain), failing a connection
/// on a protocol error (RFC 6455 §7.1.7), and closing without a handshake (silent peers, shutdown).
extension WebSocketConnection {
    /// Starts the closing handshake (drain: 1001); the peer's close completes it, the sweep bounds the wait.
    func startClose(code: UInt16, reason: String) {
        guard phase == .open, let context else { return }
        phase = .closeSent
        lastCloseCode = code
        message = nil
        moveToClosing()
        state.counters.closesSent[code, default: 0] += 1
        let frame = WebSocketFrameWriter.close(code: code, reason: reason, allocator: context.channel.allocator)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    /// Fails the connection (RFC 6455 §7.1.7): a close frame with `code`, then the output side is shut so the
    /// peer sees the close before the FIN; input is discarded until the peer closes or the sweep gives up.
    func fail(code: UInt16, reason: String) {
        guard phase == .open || phase == .closeSent, let context else { return }
        phase = .failing
        lastCloseCode = code
        pending = nil
        message = nil
        moveToClosing()
        state.counters.closesSent[code, default: 0] += 1
        let frame = WebSocketFrameWriter.close(code: code, reason: reason, allocator: context.channel.allocator)
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { [weak self] result in
            guard let self, let context = self.context else { return }
            switch result {
            case .success: context.close(mode: .output, promise: nil)
            case .failure: self.closeNow()
            }
        }
    }

    /// Heartbeat: the peer was silent for two intervals; it is gone, so no closing handshake.
    func closeSilentPeer() {
        closeNow()
    }

    func closeNow() {
        guard phase != .closed || holdsSlot, let context else { return }
        phase = .closed
        context.close(promise: nil)
    }

    func moveToClosing() {
        if state.echoClients.remove(self) || state.broadcastClients.remove(self) {
            state.closingClients.append(self)
        }
        lastSeenNanos = LoopState.nowNanos()
    }
}
