import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The server's WebSocket handshake, driven by `HTTPEndpointHandler` on any request of a connection (the first
/// or one after keep-alive requests: nginx sends upgrades on pooled upstream connections). NIO's
/// `HTTPServerUpgradeHandler` is not used because it removes itself after a first plain request, after which
/// an upgrade reached the HTTP handler as a 426 and the HTTP parser, stopped at the upgrade, never answered
/// again. Admission (endpoint, origin, drain, capacity) is the caller's; this builds the 101 headers
/// (`NIOWebSocketServerUpgrader`: key and version checks, Sec-WebSocket-Accept) and swaps the pipeline:
/// the HTTP encoder, decoder and handler leave, one `WebSocketConnection` stays.
final class WebSocketUpgrader: @unchecked Sendable {
    private let nio: NIOWebSocketServerUpgrader

    init() {
        self.nio = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 16, automaticErrorHandling: false,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededFuture(()) })
    }

    /// True when the request asks for a WebSocket (`Upgrade: websocket` and `Connection: upgrade`).
    static func isWebSocketUpgrade(_ head: HTTPRequestHead) -> Bool {
        let upgrade = head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
        let connection = head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
        return upgrade && connection
    }

    /// True when the HTTP parser may have stopped at this request (any Upgrade header, or CONNECT): a request
    /// like this that is not upgraded gets its answer and then the connection is closed.
    static func stopsParser(_ head: HTTPRequestHead) -> Bool {
        head.method == .CONNECT || head.headers.contains(name: "upgrade")
    }

    /// The 101 response headers, or a failure when the key or version is wrong.
    func responseHeaders(channel: Channel, head: HTTPRequestHead) -> EventLoopFuture<HTTPHeaders> {
        nio.buildUpgradeResponse(channel: channel, upgradeRequest: head, initialResponseHeaders: HTTPHeaders())
    }

    /// After the 101 is written and the WebSocket handler joined the pipeline: the HTTP handlers leave (the
    /// decoder last: it forwards bytes the client sent right after its request, such as a first frame, to the
    /// new handler).
    static func removeHTTPHandlers(context: ChannelHandlerContext, http: HTTPEndpointHandler) throws {
        let pipeline = context.pipeline.syncOperations
        pipeline.removeHandler(http, promise: nil)
        pipeline.removeHandler(try pipeline.handler(type: HTTPResponseEncoder.self), promise: nil)
        pipeline.removeHandler(
            try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self), promise: nil)
    }
}
