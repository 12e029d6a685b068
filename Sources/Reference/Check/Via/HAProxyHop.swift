import Foundation
import HostFacts
import ProxyConfig
import Tuning

/// Why an HAProxy hop could not start.
/// The real HAProxy in the foreground (master-worker, `-W -db`) on a free loopback port, in front of `backends`,
/// under `prlimit --nofile=N:N`, with a stats socket and its log on stderr.
public final class HAProxyHop: ProxyHop, @unchecked Sendable {
    public let kind = ProxyKind.haproxy
    public let listen: WebSocketTarget
    public let limits: ProxyHopLimits
    public let directory: URL
    public let configPath: String
    public let statsSocket: String
    private let process: ProxyProcess
    private var child: ChildProcess { process.child }

    /// - Parameters:
    ///   - profile: renders the config (ignored when `userConfig` is given).
    ///   - backends: "127.0.0.1:PORT" of each backend.
    ///   - nofile: RLIMIT_NOFILE (soft and hard) HAProxy runs under.
    ///   - threads: nbthread (default: the renderer's, this host's CPU count).
    ///   - maxconn: overrides the rendered global and frontend maxconn.
    ///   - userConfig: the user's config; a `global` stats socket and stderr log are added to a copy of it.
    ///   - templateDirectories: where `haproxy.mustache` is (DataDirectories.candidates("templates", …)).
    ///   - tempDirectory: the check's temp dir; the hop makes its own directory under it and removes it on stop.
    public init(
        profile: Profile?, backends: [String], nofile: Int, threads: Int? = nil, maxconn: Int? = nil,
        userConfig: String? = nil, templateDirectories: [String], tempDirectory: URL, path: String = "/ws",
        haproxy: String = "haproxy"
    ) throws {
        let port = try FreePort.find(host: "127.0.0.1")
        directory = tempDirectory.appendingPathComponent("haproxy-\(port)-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("haproxy.cfg").path
        statsSocket = directory.appendingPathComponent("stats.sock").path
        let pidFile = directory.appendingPathComponent("haproxy.pid").path
        var text: String
        var effectiveThreads = threads ?? 1
        if let userConfig {
            text = try String(contentsOfFile: userConfig, encoding: .utf8)
        } else {
            guard let profile else {
                throw ProxyHopError.invalidConfig(.haproxy, detail: "neither a profile nor a config to run")
            }
            var options = RenderOptions()
            options.backends = try backends.map { try HostPort.parse($0, requireHost: true, option: "backend") }
            options.listen = HostPort(host: "127.0.0.1", port: port)
            options.path = path
            options.workerProcesses = threads
            let rendered = try ConfigRenderer(templateDirectories: templateDirectories)
                .render(.haproxy, profile: profile, options: options)
            text = rendered.text
            effectiveThreads = rendered.sizing.haproxyThreads
        }
        text = Self.adapt(
            text, maxconn: maxconn, statsSocket: statsSocket,
            rebind: userConfig == nil ? nil : (port, backends))
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let globalMaxconn = Self.globalMaxconn(text) ?? maxconn
        // HAProxy's own rule (src/haproxy.c: global.maxsock = 2 × maxconn + extra fds); refused at start with
        // strict-limits when the limit cannot be raised. This is a lower bound checked first (HAProxy 2.6.12 with
        // maxconn 100, 1 thread, 1 server and a stats socket asks for 225, this formula 215); waitReady maps
        // HAProxy's own "Cannot raise FD limit to N, limit is M" to the same error.
        if let globalMaxconn {
            let needed = 2 * globalMaxconn + 11 + 3 * effectiveThreads + backends.count
            if needed > nofile {
                try? FileManager.default.removeItem(at: directory)
                throw ProxyHopError.nofileTooSmall(needed: needed, given: nofile, maxconn: globalMaxconn)
            }
        }
        let check = try ChildProcess([haproxy, "-c", "-q", "-f", configPath])
        check.closeStdin()
        if !check.wait(seconds: 15) { check.stop(graceSeconds: 1) }
        guard check.exitStatus == 0 else {
            try? FileManager.default.removeItem(at: directory)
            throw ProxyHopError.invalidConfig(.haproxy, detail: check.stderrText)
        }
        listen = WebSocketTarget(host: "127.0.0.1", port: port, path: path)
        limits = ProxyHopLimits(
            kind: .haproxy, workers: effectiveThreads, maxconn: globalMaxconn, nofile: nofile, listeners: 1,
            backends: backends)
        process = try ProxyProcess([
            "prlimit", "--nofile=\(nofile):\(nofile)", "setpriv", "--pdeathsig", "TERM",
            haproxy, "-W", "-db", "-f", configPath, "-p", pidFile,
        ])
    }

    /// Adds the stats socket, stderr logging of errors and strict-limits to `global`; overrides maxconn.
    /// With `rebind` (a user's config): every `bind` of a frontend or listen section becomes the hop's loopback
    /// port, and each backend's `server` lines become the started backends (one line each).
    static func adapt(
        _ config: String, maxconn: Int?, statsSocket: String, rebind: (port: Int, backends: [String])? = nil
    ) -> String {
        var out: [String] = []
        var section = ""
        var wroteServers = false
        // Every line end counts ("\r\n" is one Character).
        for raw in config.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let first = trimmed.split(separator: " ").first.map(String.init) ?? ""
            if !line.hasPrefix(" ") && !line.hasPrefix("\t") && !trimmed.isEmpty && !trimmed.hasPrefix("#") {
                section = first
                wroteServers = false
            }
            if let rebind, first == "bind", section == "frontend" || section == "listen" {
                out.append("    bind 127.0.0.1:\(rebind.port)")
                continue
            }
            if let rebind, first == "server", section == "backend" || section == "listen" {
                if !wroteServers {
                    for (i, b) in rebind.backends.enumerated() { out.append("    server wstune\(i + 1) \(b)") }
                }
                wroteServers = true
                continue
            }
            if let maxconn, first == "maxconn", section == "global" || section == "frontend" {
                out.append("    maxconn \(maxconn)")
                continue
            }
            if first == "stats" && trimmed.hasPrefix("stats socket") && section == "global" { continue }
            out.append(line)
            if section == "global" && first == "global" {
                out.append("    stats socket \(statsSocket) level admin")
                out.append("    log stderr format raw local0")
                out.append("    strict-limits")
            } else if section == "defaults" && first == "defaults" {
                out.append("    log global")
                out.append("    option dontlog-normal")
            }
        }
        return out.joined(separator: "\n")
    }

    static func globalMaxconn(_ config: String) -> Int? {
        var section = ""
        for raw in config.split(whereSeparator: \.isNewline) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let words = trimmed.split(separator: " ")
            if !line.hasPrefix(" ") && !line.hasPrefix("\t"), let w = words.first, !trimmed.hasPrefix("#") {
                section = String(w)
            }
            if section == "global", words.count >= 2, words[0] == "maxconn" { return Int(words[1]) }
        }
        return nil
    }

    public func pids() -> [Int32] { process.pids() }

    public func waitReady(seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !child.isRunning {
                throw Self.startError(child.stderrText, maxconn: limits.maxconn ?? 0)
            }
            if ProxyProcess.canConnect(port: listen.port) && FileManager.default.fileExists(atPath: statsSocket) {
                _ = pids()
                return
            }
            usleep(50_000)
        }
        throw ProxyHopError.didNotStart(
            .haproxy,
            detail: "not accepting on \(listen.port) after \(seconds) s: \(child.stderrText)")
    }

    static func startError(_ stderr: String, maxconn: Int) -> ProxyHopError {
        // "[ALERT] ... Cannot raise FD limit to 2063, limit is 1024."
        if let r = stderr.range(of: "Cannot raise FD limit to ") {
            let tail = stderr[r.upperBound...]
            let numbers = tail.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
            if numbers.count == 2 { return .nofileTooSmall(needed: numbers[0], given: numbers[1], maxconn: maxconn) }
        }
        return .didNotStart(.haproxy, detail: stderr)
    }

    public func info() -> HAProxyInfo? {
        HAProxyStatsSocket.query(path: statsSocket, command: "show info").map(HAProxyInfo.init(parsing:))
    }

    public func stat() -> [HAProxyStatRow]? {
        HAProxyStatsSocket.query(path: statsSocket, command: "show stat").map(HAProxyStat.parse)
    }

    public func evidence() -> ProxyEvidence {
        Self.evidence(log: child.stderrText, info: info(), stat: stat())
    }

    /// Evidence from the log text and the stats answers (pure, for tests).
    static func evidence(log: String, info: HAProxyInfo?, stat: [HAProxyStatRow]?) -> ProxyEvidence {
        var e = ProxyEvidence(kind: .haproxy)
        func add(_ kind: ProxyEvidence.ErrorKind, _ n: Int, _ line: String?) {
            guard n > 0 else { return }
            e.errorCounts[kind.rawValue, default: 0] += n
            if let line, e.firstErrors[kind.rawValue] == nil { e.firstErrors[kind.rawValue] = line }
        }
        for line in log.split(separator: "\n").map(String.init) {
            if line.contains("Too many open files") || line.contains("Cannot raise FD limit") {
                add(.tooManyOpenFiles, 1, line)
            } else if line.contains("Cannot assign requested address") || line.contains("no free ports") {
                add(.upstreamAddressNotAvailable, 1, line)
            } else if line.contains("Connection refused") || line.contains("connection refused") {
                add(.upstreamRefused, 1, line)
            }
        }
        e.activeConnections = info?.currConns
        let frontends = stat?.filter { $0.service == "FRONTEND" } ?? []
        e.peakConnections = frontends.compactMap(\.smax).max()
        var atMax = false
        if let cur = info?.currConns, let max = info?.maxconn, cur >= max { atMax = true }
        for f in frontends { if let s = f.scur, let l = f.slim, l > 0, s >= l { atMax = true } }
        if let smax = e.peakConnections, let l = frontends.compactMap(\.slim).max(), smax >= l { atMax = true }
        if atMax {
            add(.maxconnReached, 1, "show info CurrConns \(info?.currConns ?? -1) / Maxconn \(info?.maxconn ?? -1)")
        }
        let econ = stat?.filter { $0.service == "BACKEND" }.compactMap(\.econ).reduce(0, +) ?? 0
        if econ > 0, e.count(.upstreamAddressNotAvailable) == 0, e.count(.upstreamRefused) == 0 {
            add(.upstreamRefused, econ, "show stat econ \(econ) (backend connection errors)")
        }
        return e
    }

    public func stop() {
        // USR1: soft stop (stop listening, finish sessions); workers are known by our config path in their argv.
        let config = configPath
        if process.stop(signal: SIGUSR1, graceSeconds: 1, isWorker: { $0.contains(config) }) {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    deinit { stop() }
}
