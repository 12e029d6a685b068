import NIOCore
import NIOHTTP1

/// Sends the HTTP upgrade request when the TCP connection is up and turns any answer other than 101 (503, 403 …)
/// or an early close into a `HandshakeFailure`. NIO's client upgrader handles the 101 itself; this handler
/// only sees what the upgrader passes on when it does not upgrade. After the upgrade it forwards frames untouched.
final class HandshakeRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let target: WebSocketTarget
    private let origin: String?
    private let finish: (Result<Void, Error>) -> Void
    private var done = false
    /// Set by the upgrade pipeline closure once frames flow; from then on, data passes through.
    var upgraded = false

    init(target: WebSocketTarget, origin: String?, finish: @escaping (Result<Void, Error>) -> Void) {
        self.target = target
        self.origin = origin
        self.finish = finish
    }

    func complete(_ result: Result<Void, Error>) {
        guard !done else { return }
        done = true
        finish(result)
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        let hostHeader = target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
        headers.add(name: "Host", value: hostHeader)
        headers.add(name: "Content-Length", value: "0")
        if let origin { headers.add(name: "Origin", value: origin) }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if upgraded {
            context.fireChannelRead(data)
            return
        }
        if case .head(let response) = unwrapInboundIn(data), response.status != .switchingProtocols {
            complete(.failure(HandshakeFailure.http(Int(response.status.code))))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if upgraded {
            context.fireErrorCaught(error)
            return
        }
        complete(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(HandshakeFailure(kind: .closedByPeer)))
        context.fireChannelInactive()
    }
}
