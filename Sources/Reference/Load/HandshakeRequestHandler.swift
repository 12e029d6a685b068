import NIOCore

/// One connection's opening handshake, first in its pipeline: sends the upgrade request when TCP is up, reads
/// the answer (`ClientHandshake`), and decides the connection's outcome exactly once: upgraded, an answer
/// other than a valid 101 (503, 403, … or not HTTP), an error, the peer closing first, or the handshake
/// deadline (checked by its loop's sweep, `LoadLoop`, not by a timer of its own). After the upgrade it
/// passes bytes on to the WebSocket frame decoder behind it, starting with any that came with the 101.
///
/// Only its event loop touches it; it sits in the loop's list of handshakes in progress until decided.
final class HandshakeRequestHandler: ChannelInboundHandler, IntrusiveListNode, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let loop: LoadLoop
    let connection: LoadConnectionHandler
    let startNanos: UInt64
    private(set) var decided = false
    private(set) var upgraded = false
    private(set) var channel: Channel?
    /// The upgrade request reached the socket: TCP is up (until then a deadline is a connect timeout).
    private(set) var requestWritten = false
    private var answer: ByteBuffer?
    private var key: [UInt8] = []

    var listPrev: HandshakeRequestHandler?
    var listNext: HandshakeRequestHandler?
    var listTag: UInt8 = 0

    init(loop: LoadLoop, connection: LoadConnectionHandler, startNanos: UInt64) {
        self.loop = loop
        self.connection = connection
        self.startNanos = startNanos
    }

    func handlerAdded(context: ChannelHandlerContext) {
        channel = context.channel
    }

    /// The outcome, once: counted in the stats, and the handshake leaves its loop's list.
    func decide(_ result: Result<Void, Error>) {
        guard !decided else { return }
        decided = true
        loop.handshakeDecided(self, result)
    }

    /// TCP did not come up in time (the loop's sweep): counted as a connect timeout, the connection closed.
    func connectTimedOut(after nanos: UInt64) {
        decide(.failure(ChannelError.connectTimeout(.nanoseconds(Int64(nanos)))))
        channel?.close(promise: nil)
    }

    /// The deadline passed (the loop's sweep): counted as a handshake timeout, the connection closed.
    func timedOut() {
        decide(.failure(HandshakeFailure(kind: .handshakeTimeout)))
        channel?.close(promise: nil)
    }

    func channelActive(context: ChannelHandlerContext) {
        let template = loop.handshake
        key = ClientHandshake.key(nonce: loop.nextNonce())
        var request = context.channel.allocator.buffer(
            capacity: template.prefix.count + key.count + template.suffix.count)
        request.writeBytes(template.prefix)
        request.writeBytes(key)
        request.writeBytes(template.suffix)
        // The socket may still be connecting (withConnectedSocket): the write completes once TCP is up, and fails
        // with the connect's own error (ECONNREFUSED, ETIMEDOUT: NIO reads SO_ERROR when the socket resets)
        // before the channel goes inactive, so a refused connect is counted as what it is.
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { result in
            switch result {
            case .success: self.requestWritten = true
            case .failure(let error): self.decide(.failure(error))
            }
        }
        context.writeAndFlush(NIOAny(request), promise: promise)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if upgraded {
            context.fireChannelRead(data)
            return
        }
        guard !decided else { return }
        var bytes = unwrapInboundIn(data)
        if var held = answer {
            held.writeBuffer(&bytes)
            bytes = held
        }
        let outcome = bytes.withUnsafeReadableBytes {
            ClientHandshake.parse($0, expectedAccept: ClientHandshake.accept(forKey: key))
        }
        switch outcome {
        case .incomplete:
            answer = bytes
        case .failed(let why):
            answer = nil
            decide(.failure(why.error))
            context.close(promise: nil)
        case .upgraded(let headBytes):
            answer = nil
            upgraded = true
            decide(.success(()))
            bytes.moveReaderIndex(forwardBy: headBytes)
            if bytes.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(bytes)) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if upgraded {
            context.fireErrorCaught(error)
            return
        }
        decide(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        decide(.failure(HandshakeFailure(kind: .closedByPeer)))
        context.fireChannelInactive()
    }
}
