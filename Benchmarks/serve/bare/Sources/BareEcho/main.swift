// A bare SwiftNIO WebSocket echo server: NIO's HTTP server pipeline with NIOWebSocketServerUpgrader, and a
// handler that echoes data frames, answers pings and closes. Defaults everywhere else (receive allocator,
// frame size, no heartbeats, no limits). Usage: BareEcho HOST PORT THREADS (SO_REUSEPORT always set).
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

#if canImport(Glibc)
import Glibc
#endif

final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            let reply = WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)),
                promise: nil)
        case .connectionClose:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)))
                .whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }
}

let args = CommandLine.arguments
let host = args.count > 1 ? args[1] : "127.0.0.1"
let port = args.count > 2 ? Int(args[2]) ?? 9000 : 9000
let threads = args.count > 3 ? Int(args[3]) ?? System.coreCount : System.coreCount

let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let upgrader = NIOWebSocketServerUpgrader(
    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
    upgradePipelineHandler: { channel, _ in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
    })
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 4096)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .serverChannelOption(ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SO_REUSEPORT), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
        }
    }
let channel = try bootstrap.bind(host: host, port: port).wait()
print("bare-echo listening on \(host):\(port)")
try channel.closeFuture.wait()
