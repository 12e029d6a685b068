import NIOCore
import NIOHTTP1

/// The first handler of every server connection: when the first read is a WebSocket upgrade of the common shape
/// (`FastUpgradeRequest`), it admits it, writes the 101 itself and leaves the pipeline to one
/// `WebSocketConnection`, with no HTTP parser ever added. Anything else (any other request, an upgrade it does not
/// recognise, one it cannot admit) falls back: it puts NIO's HTTP encoder and decoder in front of the
/// `HTTPEndpointHandler` behind it, hands them the bytes and leaves, so the connection is served exactly as
/// without it. The `HTTPEndpointHandler` sits in the pipeline from the start, so the HTTP deadline (the loop's
/// sweep) covers a connection that sends nothing.
final class FastUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private unowned let state: LoopState
    private let http: HTTPEndpointHandler

    init(state: LoopState, http: HTTPEndpointHandler) {
        self.state = state
        self.http = http
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if let request = bytes.withUnsafeReadableBytes({ FastUpgradeRequest.parse($0) }),
            upgrade(request, bytes: &bytes, context: context)
        {
            return
        }
        fallBack(context: context, data: data)
    }

    /// The fast path; false (nothing done) when the request is to go through the HTTP handlers instead.
    private func upgrade(_ request: FastUpgradeRequest, bytes: inout ByteBuffer, context: ChannelHandlerContext)
        -> Bool
    {
        let server = state.server
        if request.offersExtensions && server.configuration.deflate { return false }
        guard case .success(let endpoint) = server.admit(target: request.target, origin: request.origin) else {
            // Refusals (404, origin, draining, capacity) are the HTTP handler's to answer and count.
            return false
        }
        let accept = ClientHandshake.accept(forKey: request.key)
        var response = context.channel.allocator.buffer(capacity: 97 + accept.count)
        response.writeStaticString(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: ")
        response.writeBytes(accept)
        response.writeStaticString("\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(response), promise: nil)
        // The slot went with the connection: WebSocketConnection gives it back when it ends.
        let connection = WebSocketConnection(state: state, endpoint: endpoint)
        let pipeline = context.pipeline.syncOperations
        do {
            try pipeline.addHandler(connection)
        } catch {
            server.releaseSlot()
            context.close(promise: nil)
            return true
        }
        pipeline.removeHandler(http, promise: nil)
        // Frames the client sent right after its request go to the connection.
        bytes.moveReaderIndex(forwardBy: request.headBytes)
        if bytes.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(bytes)) }
        pipeline.removeHandler(context: context, promise: nil)
        return true
    }

    /// NIO's HTTP encoder and decoder go in behind this handler, the bytes go to the decoder, this handler leaves.
    private func fallBack(context: ChannelHandlerContext, data: NIOAny) {
        let pipeline = context.pipeline.syncOperations
        do {
            try pipeline.addHandlers(
                [
                    HTTPResponseEncoder(),
                    ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)),
                ],
                position: .after(self))
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
        pipeline.removeHandler(context: context, promise: nil)
    }
}
