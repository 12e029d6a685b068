import Foundation
import HostFacts
import ProxyConfig
import Tuning

/// Why an nginx hop could not start.
/// The real nginx in the foreground (`daemon off`, master and workers) on a free loopback port, in front of
/// `backends`, under `prlimit --nofile=N:N` (what the unit's LimitNOFILE= gives it), with its own prefix, pid file
/// and error log. The config is the one `wstune render nginx` writes for the profile, or the user's own with
/// listen, pid, logs, worker_rlimit_nofile and the upstream servers replaced by the hop's (`adapt`).
public final class NginxHop: ProxyHop, @unchecked Sendable {
    public let kind = ProxyKind.nginx
    public let listen: WebSocketTarget
    public let limits: ProxyHopLimits
    public let prefix: URL
    public let configPath: String
    public let errorLogPath: String
    private let process: ProxyProcess
    private var child: ChildProcess { process.child }

    /// - Parameters:
    ///   - workers: worker_processes (default: the renderer's, this host's CPU count).
    ///   - workerConnections: overrides the rendered worker_connections.
    ///   - userConfig: a whole nginx.conf of the user's, adapted to the hop (see `adapt`).
    public init(
        profile: Profile?, backends: [String], nofile: Int, workers: Int? = nil, workerConnections: Int? = nil,
        userConfig: String? = nil, templateDirectories: [String], tempDirectory: URL, path: String = "/ws",
        nginx: String = "nginx"
    ) throws {
        let port = try FreePort.find(host: "127.0.0.1")
        prefix = tempDirectory.appendingPathComponent("wstune-nginx-\(port)-\(getpid())")
        try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
        configPath = prefix.appendingPathComponent("nginx.conf").path
        errorLogPath = prefix.appendingPathComponent("error.log").path
        let paths = NginxPaths.under(prefix.path)
        var text: String
        if let userConfig {
            text = try String(contentsOfFile: userConfig, encoding: .utf8)
        } else {
            guard let profile else {
                throw ProxyHopError.invalidConfig(.nginx, detail: "neither a profile nor a config")
            }
            var options = RenderOptions()
            options.backends = try backends.map { try HostPort.parse($0, requireHost: true, option: "backend") }
            options.listen = HostPort(host: "127.0.0.1", port: port)
            options.path = path
            options.workerProcesses = workers
            options.nginxPaths = paths
            text = try ConfigRenderer(templateDirectories: templateDirectories)
                .render(.nginx, profile: profile, options: options).text
        }
        text = Self.adapt(
            text, listenPort: port, backends: backends, nofile: nofile, workers: workers,
            workerConnections: workerConnections, paths: paths)
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let parsed = Self.directives(text)
        let test = try ChildProcess([nginx, "-t", "-q", "-p", prefix.path + "/", "-c", configPath])
        test.closeStdin()
        if !test.wait(seconds: 15) { test.stop(graceSeconds: 1) }
        guard test.exitStatus == 0 else {
            try? FileManager.default.removeItem(at: prefix)
            throw ProxyHopError.invalidConfig(.nginx, detail: test.stderrText)
        }
        listen = WebSocketTarget(host: "127.0.0.1", port: port, path: path)
        limits = ProxyHopLimits(
            kind: .nginx, workers: parsed.workers ?? workers ?? 1, workerConnections: parsed.workerConnections,
            nofile: nofile, listeners: max(parsed.listeners, 1), upstreamKeepalive: parsed.keepalive,
            backends: backends)
        let orphanGuard =
            FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            ? ["/usr/bin/setpriv", "--pdeathsig", "TERM", "--"] : []
        process = try ProxyProcess(
            ["prlimit", "--nofile=\(nofile):\(nofile)", "--"] + orphanGuard
                + [nginx, "-p", prefix.path + "/", "-c", configPath, "-g", "daemon off;"])
    }

    /// The hop's values in a config: the listen port (every `listen` of a server block), pid and logs under the
    /// prefix, worker_rlimit_nofile = the hop's nofile (nginx cannot raise it above the hard limit prlimit set),
    /// each upstream's `server` lines replaced by the backends, and the worker overrides. Line based: one
    /// directive per line, as `wstune render` writes and as most hand-written configs are; CRLF reads as LF.
    static func adapt(
        _ config: String, listenPort: Int, backends: [String], nofile: Int, workers: Int?, workerConnections: Int?,
        paths: NginxPaths
    ) -> String {
        var out: [String] = []
        var blocks: [String] = []
        var wroteBackends = false
        var seen = Set<String>()
        // Split on every line end ("\r\n" is one Character, so splitting on "\n" alone would miss it).
        for raw in config.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let word = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" }).first.map(String.init)
            let indent = String(line.prefix { $0 == " " || $0 == "\t" })
            func put(_ directive: String) { out.append(indent + directive) }
            if let word, blocks.isEmpty { seen.insert(word) }
            switch word {
            case "pid"?: put("pid \(paths.pidFile);")
            case "error_log"?: put("error_log \(paths.errorLog) warn;")
            case "access_log"?: put("access_log \(paths.accessLog);")
            case "worker_rlimit_nofile"?: put("worker_rlimit_nofile \(nofile);")
            case "worker_processes"? where workers != nil: put("worker_processes \(workers ?? 1);")
            case "worker_connections"? where workerConnections != nil:
                put("worker_connections \(workerConnections ?? 0);")
            case "listen"? where blocks.last == "server": put("listen 127.0.0.1:\(listenPort);")
            case "server"? where blocks.last == "upstream" && !trimmed.hasSuffix("{"):
                if !wroteBackends { for b in backends { put("server \(b);") } }
                wroteBackends = true
            default:
                out.append(line)
            }
            if trimmed.hasSuffix("{"), let word {
                blocks.append(word)
                if word == "upstream" { wroteBackends = false }
            }
            if trimmed.hasPrefix("}") && !blocks.isEmpty { blocks.removeLast() }
        }
        var head: [String] = []
        if !seen.contains("pid") { head.append("pid \(paths.pidFile);") }
        if !seen.contains("error_log") { head.append("error_log \(paths.errorLog) warn;") }
        if !seen.contains("worker_rlimit_nofile") { head.append("worker_rlimit_nofile \(nofile);") }
        return (head + out).joined(separator: "\n")
    }

    /// worker_processes, worker_connections, listen count and upstream keepalive as the config says.
    static func directives(_ config: String) -> (workers: Int?, workerConnections: Int?, listeners: Int, keepalive: Int)
    {
        var workers: Int?
        var connections: Int?
        var listeners = 0
        var keepalive = 0
        for line in config.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ";" })
            guard let first = words.first else { continue }
            let value = words.count > 1 ? Int(words[1]) : nil
            switch first {
            case "worker_processes": workers = value
            case "worker_connections": connections = value
            case "listen": listeners += 1
            case "keepalive": keepalive += value ?? 0
            default: break
            }
        }
        return (workers, connections, listeners, keepalive)
    }

    public func pids() -> [Int32] { process.pids() }

    public func waitReady(seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !child.isRunning {
                let log = (try? String(contentsOfFile: errorLogPath, encoding: .utf8)) ?? ""
                throw ProxyHopError.didNotStart(
                    .nginx, detail: (child.stderrText + log).trimmingCharacters(in: .newlines))
            }
            if ProxyProcess.canConnect(port: listen.port), pids().count >= 1 + limits.workers {
                return
            }
            usleep(50_000)
        }
        throw ProxyHopError.didNotStart(.nginx, detail: "not accepting on \(listen.port) after \(seconds) s")
    }

    public func evidence() -> ProxyEvidence {
        let log = (try? String(contentsOfFile: errorLogPath, encoding: .utf8)) ?? ""
        var e = Self.evidence(log: log + "\n" + child.stderrText)
        e.maxFdsPerProcess = pids().dropFirst().map { HostRoot().listDirectory("proc/\($0)/fd").count }.max()
        return e
    }

    /// Counts nginx's own error-log lines by kind (pure, for tests). The texts are nginx's (src/event/
    /// ngx_event_accept.c, src/core/ngx_connection.c, and the errno text of a failed connect() to an upstream).
    public static func evidence(log: String) -> ProxyEvidence {
        var e = ProxyEvidence(kind: .nginx)
        for raw in log.split(separator: "\n") {
            let line = String(raw)
            let kind: ProxyEvidence.ErrorKind
            if line.contains("worker_connections are not enough") {
                kind = .workerConnections
            } else if line.contains("(24: Too many open files)") {
                kind = .tooManyOpenFiles
            } else if line.contains("(99: Cannot assign requested address)") {
                kind = .upstreamAddressNotAvailable
            } else if line.contains("(111: Connection refused)") || line.contains("(104: Connection reset by peer)") {
                kind = .upstreamRefused
            } else {
                continue
            }
            e.errorCounts[kind.rawValue, default: 0] += 1
            if e.firstErrors[kind.rawValue] == nil { e.firstErrors[kind.rawValue] = line }
        }
        return e
    }

    public func stop() {
        // QUIT: graceful (workers close their listeners, then the master exits); a worker that outlived a killed
        // master keeps its title.
        if process.stop(signal: SIGQUIT, graceSeconds: 2, isWorker: { $0.hasPrefix("nginx: worker") }) {
            try? FileManager.default.removeItem(at: prefix)
        }
    }

    deinit { stop() }
}
