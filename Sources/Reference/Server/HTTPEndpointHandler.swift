import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The HTTP phase of a connection: /healthz, /readyz, /metrics, WebSocket upgrades on any request of the
/// connection (admitted, or refused with the status their reason calls for), and the HTTP deadline (the
/// loop's sweep closes it when it passes).
final class HTTPEndpointHandler: ChannelInboundHandler, RemovableChannelHandler, IntrusiveListNode {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    var listPrev: HTTPEndpointHandler?
    var listNext: HTTPEndpointHandler?
    var listTag: UInt8 = 0

    private unowned let state: LoopState
    private let upgrader: WebSocketUpgrader
    private let metrics: @Sendable () -> EventLoopFuture<ServerMetricsSnapshot>
    private var context: ChannelHandlerContext?
    /// When the current request (or the connection) started; the deadline counts from here.
    var phaseStartNanos: UInt64
    private var head: HTTPRequestHead?
    /// A response that ends the connection is on its way: later requests on it are ignored. (There is no
    /// NIO pipelining handler in front; answers are written in request order because only /metrics is
    /// asynchronous, and it closes the connection.)
    private var answering = false
    /// An admitted upgrade took a connection slot for this channel; handed to the WebSocket handler or given back.
    var holdsSlot = false

    init(
        state: LoopState, upgrader: WebSocketUpgrader,
        metrics: @escaping @Sendable () -> EventLoopFuture<ServerMetricsSnapshot>
    ) {
        self.state = state
        self.upgrader = upgrader
        self.metrics = metrics
        self.phaseStartNanos = LoopState.nowNanos()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        state.httpConnections.append(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        state.httpConnections.remove(self)
        releaseSlot()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.httpConnections.remove(self)
        releaseSlot()
        context.fireChannelInactive()
    }

    private func releaseSlot() {
        if holdsSlot {
            holdsSlot = false
            state.server.releaseSlot()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        switch error {
        case is HTTPParserError:
            // Malformed HTTP: answer 400 and close (this handler stands in for NIO's protocol error handler,
            // one handler less to add and remove per connection).
            state.counters.refused[.badRequest, default: 0] += 1
            if head == nil && !answering {
                answering = true
                write(status: 400, phrase: "Bad Request", body: "bad request\n", keepAlive: false, context: context)
            } else {
                closeNow()
            }
        default:
            // Socket errors (reset by peer and the like).
            closeNow()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body:
            break
        case .end:
            guard let h = head, !answering else { return }
            head = nil
            if WebSocketUpgrader.isWebSocketUpgrade(h) {
                upgrade(h, context: context)
            } else {
                respond(to: h, context: context)
            }
        }
    }

    /// A WebSocket upgrade: admitted (101, then the pipeline becomes one `WebSocketConnection`) or refused
    /// with its status and `Connection: close` (the HTTP parser stops at an upgrade request, so nothing after
    /// it on this connection could be answered).
    private func upgrade(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        answering = true
        let endpoint: WebSocketEndpoint
        let config = state.server.configuration
        let deflate =
            config.deflate
            ? PerMessageDeflateSettings.negotiate(
                head.headers[canonicalForm: "sec-websocket-extensions"].map(String.init),
                forceNoContextTakeover: config.deflateNoContextTakeover) : nil
        switch state.server.admit(head) {
        case .failure(let reason):
            refuse(reason, context: context)
            return
        case .success(let e):
            endpoint = e
            holdsSlot = true
        }
        upgrader.responseHeaders(channel: context.channel, head: head).hop(to: context.eventLoop).whenComplete {
            [weak self] result in
            guard let self, let context = self.context else { return }
            guard case .success(var headers) = result, context.channel.isActive else {
                self.releaseSlot()
                self.refuse(.badRequest, context: context)
                return
            }
            if let deflate { headers.add(name: "Sec-WebSocket-Extensions", value: deflate.responseHeader) }
            let response = HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: headers)
            context.writeAndFlush(self.wrapOutboundOut(.head(response)), promise: nil)
            let connection = WebSocketConnection(state: self.state, endpoint: endpoint, deflate: deflate)
            do {
                try context.pipeline.syncOperations.addHandler(connection)
            } catch {
                self.releaseSlot()
                context.close(promise: nil)
                return
            }
            // The slot went with the connection: WebSocketConnection gives it back when it ends.
            self.holdsSlot = false
            self.state.httpConnections.remove(self)
            do {
                try WebSocketUpgrader.removeHTTPHandlers(context: context, http: self)
            } catch {
                context.close(promise: nil)
            }
        }
    }

    private func refuse(_ reason: RefusalReason, context: ChannelHandlerContext) {
        state.counters.refused[reason, default: 0] += 1
        let status = reason.httpStatus
        write(
            status: status.code, phrase: status.phrase, body: "refused: \(reason.rawValue)\n",
            keepAlive: false, context: context)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        state.counters.httpRequests += 1
        // A request with an Upgrade header (not a WebSocket one) may have stopped the HTTP parser: answer, close.
        let keepAlive = keepAliveAllowed(head) && !WebSocketUpgrader.stopsParser(head)
        if !keepAlive { answering = true }
        if !context.channel.isWritable {
            // Pipelined requests from a client that does not read its answers: no queue grows for it.
            closeNow()
            return
        }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch path {
        case "/healthz":
            write(status: 200, phrase: "OK", body: "ok\n", keepAlive: keepAlive, context: context)
        case "/readyz":
            if state.server.isDraining {
                write(
                    status: 503, phrase: "Service Unavailable", body: "draining\n", keepAlive: keepAlive,
                    context: context)
            } else if state.server.isAtCapacity {
                write(
                    status: 503, phrase: "Service Unavailable", body: "at capacity\n", keepAlive: keepAlive,
                    context: context)
            } else {
                write(status: 200, phrase: "OK", body: "ready\n", keepAlive: keepAlive, context: context)
            }
        case "/metrics":
            answering = true
            let loop = context.eventLoop
            metrics().hop(to: loop).whenComplete { [weak self] result in
                guard let self, let context = self.context else { return }
                switch result {
                case .success(let snapshot):
                    self.write(
                        status: 200, phrase: "OK", body: snapshot.prometheusText(), keepAlive: false,
                        contentType: "text/plain; version=0.0.4; charset=utf-8", context: context)
                case .failure:
                    self.write(
                        status: 500, phrase: "Internal Server Error", body: "metrics unavailable\n",
                        keepAlive: false, context: context)
                }
            }
        case "/ws", "/ws/broadcast":
            write(
                status: 426, phrase: "Upgrade Required", body: "use a WebSocket client\n", keepAlive: keepAlive,
                extraHeaders: [("Sec-WebSocket-Version", "13")], context: context)
        default:
            write(status: 404, phrase: "Not Found", body: "not found\n", keepAlive: keepAlive, context: context)
        }
    }

    private func write(
        status: Int, phrase: String, body: String, keepAlive: Bool, contentType: String = "text/plain; charset=utf-8",
        extraHeaders: [(String, String)] = [], context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(body.utf8.count))])
        headers.add(contentsOf: extraHeaders)
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: status, reasonPhrase: phrase), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            phaseStartNanos = LoopState.nowNanos()
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func keepAliveAllowed(_ head: HTTPRequestHead) -> Bool {
        head.isKeepAlive && !state.server.isDraining
    }

    func closeForDeadline() {
        state.counters.refused[.timeout, default: 0] += 1
        closeNow()
    }

    func closeNow() {
        state.httpConnections.remove(self)
        context?.close(promise: nil)
    }
}
