import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The server's upgrader: admission (endpoint, origin, drain, capacity) first, then NIO's
/// `NIOWebSocketServerUpgrader` builds the 101 response (key and version checks, Sec-WebSocket-Accept).
/// After the 101 it replaces the HTTP handler with a single `WebSocketConnection`, instead of the NIO
/// upgrader's frame decoder, encoder and error handler, so an idle connection carries one handler.
final class WebSocketUpgrader: HTTPServerProtocolUpgrader, @unchecked Sendable {
    let supportedProtocol = "websocket"
    let requiredUpgradeHeaders: [String] = []
    private let server: ServerContext
    private let nio: NIOWebSocketServerUpgrader

    init(server: ServerContext) {
        self.server = server
        self.nio = NIOWebSocketServerUpgrader(
            maxFrameSize: min(server.configuration.maxMessageBytes, Int(UInt32.max)),
            automaticErrorHandling: false,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededFuture(()) })
    }

    func buildUpgradeResponse(
        channel: Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders
    ) -> EventLoopFuture<HTTPHeaders> {
        let http = try? channel.pipeline.syncOperations.handler(type: HTTPEndpointHandler.self)
        switch server.admit(upgradeRequest) {
        case .failure(let reason):
            return channel.eventLoop.makeFailedFuture(reason)
        case .success:
            http?.holdsSlot = true
            if http == nil { server.releaseSlot() }
            return nio.buildUpgradeResponse(
                channel: channel, upgradeRequest: upgradeRequest, initialResponseHeaders: initialResponseHeaders)
        }
    }

    func upgrade(context: ChannelHandlerContext, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Void> {
        let pipeline = context.pipeline.syncOperations
        let state = server.loopState(for: context.eventLoop)
        do {
            let http = try pipeline.handler(type: HTTPEndpointHandler.self)
            guard http.takeSlot(), let endpoint = WebSocketEndpoint(path: upgradeRequest.uri) else {
                context.close(promise: nil)
                return context.eventLoop.makeFailedFuture(RefusalReason.badRequest)
            }
            // Removal of a handler without custom removal logic completes synchronously.
            pipeline.removeHandler(http, promise: nil)
            let id = server.configuration.logConnections ? server.makeConnectionID() : 0
            try pipeline.addHandler(WebSocketConnection(state: state, endpoint: endpoint, id: id))
            return context.eventLoop.makeSucceededFuture(())
        } catch {
            return context.eventLoop.makeFailedFuture(error)
        }
    }
}
