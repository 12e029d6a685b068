import ArgumentParser
import Foundation
import HostFacts
import Reference
import Tuning

/// `wstune check`: predict, start the reference server with production limits, ramp N connections, sample,
/// hold, broadcast, and name the limit that stopped it.
struct CheckCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Prove the host holds N WebSocket connections, or name the limit that stops it.",
        discussion: """
            Predicts capacity with the audit's model, starts the reference server (`wstune serve --reuse-port`) \
            as child processes whose soft and hard nofile are --server-nofile, ramps --connections with the \
            load client (several server and worker processes when one process cannot hold the fds), samples \
            the servers' RSS and fds, sockstat, ListenOverflows/Drops, conntrack and file-nr, holds, broadcasts \
            once to every client, and reports. Exit 0 when reached, 1 when not, 2 when it could not run.
            The ramp is closed-loop: it backs off when the last second's handshake p50 passes 25 ms, the run \
            queue grows or handshakes queue in flight, reports the sustainable handshake rate with its p50/p99, \
            and says whether the load side (client CPU, fds, ports), the server or other work was the bottleneck.
            Example: wstune check --connections 50000 --profile server-100k
            """)

    @OptionGroup var profileOptions: ProfileOptions

    @Option(
        name: .customLong("server-nofile"),
        help: "Soft and hard nofile of each server process (default: this process's hard limit).")
    var serverNofile: Int?

    @Option(
        name: .customLong("server-processes"),
        help: "Server processes sharing the port (default: 1 with --server-nofile, else as many as N needs).")
    var serverProcesses: Int?

    @Option(help: "Target this running server (ws://host:port/ws/broadcast) instead of starting one.")
    var url: String?

    @Option(help: "PID of the running server to sample (repeat for several processes); with --url.")
    var pid: [Int32] = []

    @Option(
        help: """
            Most handshakes per second across all load workers: the ramp finds the rate the host sustains with \
            handshake p50 under 25 ms, up to this (0: unpaced, as fast as 2000 in flight per worker allow).
            """)
    var rate: Double = 10000

    @Flag(name: .customLong("fixed-rate"), help: "Ramp at exactly --rate (open loop), without backing off.")
    var fixedRate = false

    @Option(help: "Source addresses for the load client (default on loopback: 127.0.0.2-127.0.0.40).")
    var source: String?

    @Option(help: "Seconds to hold all connections before the broadcast.")
    var hold: Double = 5

    @Option(name: .customLong("handshake-timeout"), help: "Seconds for connect plus HTTP upgrade.")
    var handshakeTimeout: Double = 15

    @Option(name: .customLong("connect-timeout"), help: "Seconds for the TCP connect.")
    var connectTimeout: Double = 10

    @Option(name: .customLong("load-workers"), help: "Load worker processes (default: as many as N needs).")
    var loadWorkers: Int?

    @Option(help: "Address the started servers listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("server-command"), help: .hidden)
    var serverCommand: String?

    @Option(
        help: """
            Ramp through this proxy (nginx or haproxy): the config `wstune render` writes for the profile (or \
            --proxy-config), run in the foreground on a free loopback port in front of the started servers.
            """)
    var via: ProxyKind?

    @Option(
        name: .customLong("proxy-config"),
        help: """
            Your proxy config instead of the rendered one; its listen/bind port, pid file, logs and upstream \
            servers are replaced by the run's own.
            """)
    var proxyConfig: String?

    @Option(
        name: .customLong("proxy-nofile"),
        help: "Soft and hard nofile of the proxy (default: 2N + 2N/15 + 64, what the tuning gives its unit).")
    var proxyNofile: Int?

    @Option(name: .customLong("proxy-workers"), help: "nginx worker_processes or HAProxy nbthread.")
    var proxyWorkers: Int?

    @Option(
        name: .customLong("proxy-connections"),
        help: "nginx worker_connections or HAProxy maxconn instead of the rendered value.")
    var proxyConnections: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false
    @Flag(help: "Start the servers with --deflate and count permessage-deflate's zlib state in the budget.")
    var deflate = false

    func validate() throws {
        guard let c = profileOptions.connections, c > 0 else { throw ValidationError("--connections N is required") }
        if url == nil && !pid.isEmpty { throw ValidationError("--pid goes with --url") }
        if !(rate >= 0 && rate.isFinite) { throw ValidationError("--rate must be a number of handshakes/s, 0 or more") }
        if let n = serverNofile, n < 64 { throw ValidationError("--server-nofile must be at least 64") }
        if let k = serverProcesses, k < 1 || k > 256 { throw ValidationError("--server-processes must be 1...256") }
        let proxyOptions = [
            proxyConfig.map { _ in "--proxy-config" }, proxyNofile.map { _ in "--proxy-nofile" },
            proxyWorkers.map { _ in "--proxy-workers" }, proxyConnections.map { _ in "--proxy-connections" },
        ]
        if via == nil, let given = proxyOptions.compactMap({ $0 }).first {
            throw ValidationError("\(given) goes with --via nginx|haproxy")
        }
        if via != nil && url != nil { throw ValidationError("--via starts its own servers; it does not go with --url") }
        if let n = proxyNofile, n < 64 || n > 1_073_741_816 {
            throw ValidationError("--proxy-nofile must be 64...1073741816")
        }
        if let w = proxyWorkers, w < 1 || w > 256 { throw ValidationError("--proxy-workers must be 1...256") }
        if let c = proxyConnections, c < 2 || c > 100_000_000 {
            throw ValidationError("--proxy-connections must be 2...100000000")
        }
        if let path = proxyConfig, !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("--proxy-config \(path): not a readable file")
        }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let connections = profileOptions.connections ?? 0
        // The default profile only supplies the memory budget and the audit's model: without it (an install with
        // no profile files) check still runs, predicting from the host's limits alone.
        var profile: Profile?
        do {
            profile = try profileOptions.store(in: context).load(profileOptions.profile).withConnections(connections)
        } catch {
            context.printError("wstune check: \(error)")
            if profileOptions.profile != "dev" { throw ExitStatus.couldNotRun }
            context.printError(
                "wstune check: going on without a profile: prediction from the profile defaults, no memory budget")
        }
        let binary = URL(fileURLWithPath: context.argv0).resolvingSymlinksInPath().path
        var options: CheckOptions
        do {
            options = CheckOptions(
                connections: connections, profile: profile,
                serverNofile: serverNofile, serverProcesses: serverProcesses,
                externalURL: try url.map(WebSocketTarget.parse), externalPIDs: pid, host: host,
                ratePerSecond: rate, sources: try source.map(SourceAddressPool.parse), holdSeconds: hold,
                connectTimeoutSeconds: connectTimeout, handshakeTimeoutSeconds: handshakeTimeout,
                loadWorkers: loadWorkers, wstuneBinary: Self.executablePath() ?? binary,
                serverCommand: serverCommand.map { $0.split(separator: " ").map(String.init) })
            options.deflate = deflate
            options.fixedRate = fixedRate
            if let via {
                options.via = ProxyLaunch(
                    kind: via, userConfig: proxyConfig, nofile: proxyNofile, workers: proxyWorkers,
                    connections: proxyConnections,
                    templateDirectories: DataDirectories.candidates("templates", explicit: nil, in: context))
            }
        } catch let e as LoadError {
            context.printError("wstune check: \(e)")
            throw ExitStatus.couldNotRun
        }
        signal(SIGPIPE, SIG_IGN)
        let runner = CheckRunner(options: options, predictor: AuditCapacityPredictor())
        let interrupts = CheckInterruptGuard(runner: runner)
        defer { interrupts.release() }
        let bar = LoadProgressBar(in: context)
        let report: CheckReport
        do {
            report = try runner.run { p in bar.update(p.load, label: "check \(p.phase.rawValue) ") }
            bar.finish()
        } catch {
            bar.finish()
            context.printError("wstune check: \(error)")
            throw ExitStatus.couldNotRun
        }
        if json {
            try context.printJSON(report)
        } else {
            for line in CheckReportRenderer(terminal: context.stdoutTerminal).lines(report) { context.print(line) }
        }
        if !report.reached { throw ExitStatus.notReady }
    }

    /// This executable's path from /proc/self/exe (argv[0] may be a bare name found in PATH).
    static func executablePath() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}

extension ProxyKind: ExpressibleByArgument {}
