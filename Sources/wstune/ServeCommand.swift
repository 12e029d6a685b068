import ArgumentParser
import Dispatch
import Foundation
import Reference

/// `wstune serve`: runs the reference WebSocket server until SIGTERM or SIGINT, then drains and exits 0.
struct ServeCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the reference WebSocket server (echo, broadcast, health, readiness, metrics).",
        discussion: """
            Endpoints: /ws echoes every message; /ws/broadcast sends every message to every client of that \
            endpoint; /healthz; /readyz (503 while draining or at --max-connections); /metrics (Prometheus text). \
            On SIGTERM or SIGINT the server drains: /readyz turns 503, every client gets a 1001 close, and it \
            waits up to --drain-timeout before exiting 0; a second signal stops it at once. Run several processes \
            on one port with --reuse-port.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Event-loop threads (default: the core count).") var threads: Int?
    @Flag(help: "Set SO_REUSEPORT so several processes share the port.") var reusePort = false
    @Option(help: "WebSocket connections held at once; more get 503.") var maxConnections = 100_000
    @Option(help: "Seconds between heartbeat pings; a client silent for two intervals is closed (0: off).")
    var pingInterval: Double = 30
    @Option(help: "Seconds a connection may take to finish its HTTP request or upgrade.") var httpDeadline: Double = 10
    @Option(help: "Bytes that may queue for one client before --on-overflow applies.") var sendQueue = 262_144
    @Option(help: "What a full send queue does: drop (the message) or disconnect (the client).")
    var onOverflow: String = "drop"
    @Option(help: "Largest message in bytes, fragments reassembled; larger ones are closed with 1009.")
    var maxMessage = 1_048_576
    @Option(
        help: ArgumentHelp(
            "Allowed Origin header value; repeat or separate with commas (default: any origin).",
            valueName: "origin"))
    var allowOrigin: [String] = []
    @Option(help: "Seconds a drain waits for clients to close.") var drainTimeout: Double = 10
    @Flag(help: "Write one JSON line per connect and disconnect on standard output.") var logConnections = false
    @Option(help: "listen(2) backlog.") var backlog = 4096
    @Flag(help: "Print the listening line as JSON on standard output.") var json = false
    @Flag(help: "Accept permessage-deflate (RFC 7692) compression when a client offers it.") var deflate = false
    @Flag(help: "With --deflate: no context takeover either way (no zlib state kept between messages).")
    var deflateNoContextTakeover = false

    func serverConfiguration() throws -> ServerConfiguration {
        guard let policy = OverflowPolicy(rawValue: onOverflow) else {
            throw ValidationError("--on-overflow \(onOverflow): must be drop or disconnect")
        }
        let origins = allowOrigin.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var c = ServerConfiguration(
            host: host, port: port, reusePort: reusePort, maxConnections: maxConnections,
            pingIntervalSeconds: pingInterval, httpDeadlineSeconds: httpDeadline, sendQueueBytes: sendQueue,
            onOverflow: policy, maxMessageBytes: maxMessage, allowedOrigins: origins,
            drainTimeoutSeconds: drainTimeout, logConnections: logConnections, backlog: backlog)
        if let threads { c.threads = threads }
        c.deflate = deflate || deflateNoContextTakeover
        c.deflateNoContextTakeover = deflateNoContextTakeover
        return c
    }

    func validate() throws {
        let problems = try serverConfiguration().problems()
        if let first = problems.first { throw ValidationError(first) }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let config = try serverConfiguration()
        let server = ReferenceServer(configuration: config)
        // The first SIGTERM/SIGINT starts the drain; a second one ends it at once.
        let signals: ServeSignals
        do {
            signals = try ServeSignals {
                context.printError("wstune serve: second signal, stopping without waiting for the drain")
                Foundation.exit(0)
            }
        } catch {
            context.printError("wstune serve: cannot install signal handlers: \(error)")
            throw ExitStatus.couldNotRun
        }
        do {
            try server.start()
        } catch {
            context.printError("wstune serve: \(error)")
            throw ExitStatus.couldNotRun
        }
        let port = server.localPort ?? config.port
        context.printError(
            "wstune serve: listening on \(config.host):\(port) (\(config.threads) threads, pid \(getpid()))")
        if json {
            try context.printJSONLine(
                ListeningEvent(host: config.host, port: port, pid: Int(getpid()), threads: config.threads))
        }
        signals.waitForFirst()
        context.printError(
            "wstune serve: draining \(server.activeConnections) connections (up to \(config.drainTimeoutSeconds) s)")
        let left = server.drain()
        context.printError("wstune serve: stopped (\(left) connections were still open)")
        withExtendedLifetime(signals) {}
    }
}

/// The `--json` start line.
private struct ListeningEvent: Encodable {
    let event = "listening"
    let host: String
    let port: Int
    let pid: Int
    let threads: Int
}
