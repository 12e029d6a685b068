import ArgumentParser
import Foundation
import Reference

/// `wstune load`: open N WebSocket connections at a fixed rate, hold them, measure, report.
struct LoadCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Open many WebSocket connections against a server, hold them, and measure.",
        discussion: """
            Ramps --connections handshakes at --rate per second, binding each to the next --source address \
            (one source address and destination give only the ephemeral port range's worth of connections), \
            holds them --hold seconds, and reports handshake latency (p50/p90/p99/max), echo round trips \
            (--message-rate per connection per second), fan-out latency on /ws/broadcast, and errors by kind \
            (EMFILE, EADDRNOTAVAIL, ECONNREFUSED, timeouts, HTTP 503/403, closed by the peer). \
            Exit 0 when every connection was open at the end of the hold, 1 when not, 2 when it could not run.
            Example: wstune load ws://127.0.0.1:8080/ws --connections 20000 --rate 2000 --source 127.0.0.2-127.0.0.9
            """)

    @Argument(help: "ws://host:port/path of the server (/ws echoes, /ws/broadcast fans out).")
    var url: String

    @Option(help: "Connections to open.")
    var connections: Int

    @Option(help: "Handshakes started per second (0: as fast as --max-in-flight allows).")
    var rate: Double = 1000

    @Option(help: "Source addresses to bind before connect: A, A-B or a comma list (e.g. 127.0.0.2-127.0.0.40).")
    var source: String?

    @Option(help: "Seconds to hold the connections open after the ramp.")
    var hold: Double = 5

    @Option(name: .customLong("message-rate"), help: "Echo messages per second per connection during the hold.")
    var messageRate: Double = 0

    @Option(name: .customLong("message-size"), help: "Bytes per message (17 or more: a tag and two timestamps).")
    var messageSize: Int = 32

    @Option(name: .customLong("connect-timeout"), help: "Seconds for the TCP connect.")
    var connectTimeout: Double = 10

    @Option(name: .customLong("handshake-timeout"), help: "Seconds for connect plus HTTP upgrade.")
    var handshakeTimeout: Double = 15

    @Option(name: .customLong("max-in-flight"), help: "Most handshakes in progress at once.")
    var maxInFlight: Int = 2000

    @Option(help: "Event loop threads (default: the core count).")
    var threads: Int?

    @Option(help: "Origin header to send with the upgrade.")
    var origin: String?

    @Flag(name: .customLong("no-broadcast"), help: "On /ws/broadcast, do not send the fan-out message.")
    var noBroadcast = false

    @Option(name: .customLong("broadcast-senders"), help: .hidden)
    var broadcastSenders: Int = 1

    @Option(
        name: .customLong("broadcast-wait"),
        help: "Seconds the broadcast waits to reach every client (later rounds wait half as long).")
    var broadcastWait: Double = 10

    /// check's worker protocol: progress and the report as JSON lines on stdout, commands on stdin.
    @Flag(help: .hidden)
    var worker = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard connections > 0 else { throw ValidationError("--connections must be at least 1") }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let options: LoadOptions
        do {
            options = LoadOptions(
                target: try WebSocketTarget.parse(url), connections: connections, ratePerSecond: rate,
                sources: try source.map(SourceAddressPool.parse), holdSeconds: hold,
                messageRatePerConnection: messageRate, messageSizeBytes: messageSize,
                connectTimeoutSeconds: connectTimeout, handshakeTimeoutSeconds: handshakeTimeout,
                maxInFlight: maxInFlight, threads: threads ?? context.cpuCount,
                broadcast: !noBroadcast,
                broadcastSenders: broadcastSenders, broadcastWaitSeconds: broadcastWait, origin: origin)
            try options.validate()
        } catch let e as LoadError {
            context.printError("wstune load: \(e)")
            throw ExitStatus.couldNotRun
        }
        // Interrupts end the run through the same bounded path (hold stops, connections close).
        signal(SIGPIPE, SIG_IGN)
        let client = LoadClient(options: options)
        let bar = LoadProgressBar(in: context)
        let report: LoadReport
        do {
            if worker {
                client.awaitCommands = true
                client.includeHistograms = true
                client.control.listen(fd: STDIN_FILENO)
                let out = LoadWorkerLineWriter(in: context)
                report = try client.run { out.write(LoadWorkerLine(progress: $0)) }
                out.write(LoadWorkerLine(report: report))
                throw report.reached ? ExitStatus.ok : ExitStatus.notReady
            }
            report = try client.run { bar.update($0) }
            bar.finish()
        } catch let e as ExitCode {
            throw e
        } catch {
            bar.finish()
            context.printError("wstune load: \(error)")
            throw ExitStatus.couldNotRun
        }
        if json {
            try context.printJSON(report)
        } else {
            for line in LoadReportRenderer(terminal: context.stdoutTerminal).lines(report) { context.print(line) }
        }
        if !report.reached { throw ExitStatus.notReady }
    }
}
