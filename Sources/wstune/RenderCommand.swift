import ArgumentParser
import Foundation
import ProxyConfig
import Tuning

extension ProxyTarget: ExpressibleByArgument {}
extension Balance: ExpressibleByArgument {}

struct RenderCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render nginx, HAProxy or systemd configs sized from a profile; optionally validate them.",
        discussion: """
            Every number in the output comes from the profile or an option (templates/README.md). \
            render also checks the fd arithmetic the validators miss and prints it on stderr. \
            Exit codes: 0 rendered (and valid with --check); 1 an fd/timeout check or a validator failed; \
            2 could not run (bad option, template error, validator not installed).
            Example: wstune render nginx --profile proxy --backend 10.0.0.5:8080 --backend 10.0.0.6:8080 --check
            """)

    @Argument(help: "What to render: nginx, haproxy or systemd.")
    var target: ProxyTarget

    @OptionGroup var profileOptions: ProfileOptions

    @Option(
        name: .customLong("backend"),
        help: ArgumentHelp(
            "A backend WebSocket server (repeatable; default 127.0.0.1 on the profile's server port, or 8080).",
            valueName: "HOST:PORT"))
    var backends: [String] = []

    @Option(
        help: ArgumentHelp(
            "Listen port, optionally with an address (default: a proxy profile's listen port, else 80, or 443 with TLS; systemd: the instance port to check).",
            valueName: "[HOST:]PORT"))
    var listen: String?

    @Option(name: .customLong("server-name"), help: "nginx server_name; the Host HAProxy's health check sends.")
    var serverName: String = "_"

    @Option(help: "The WebSocket path.")
    var path: String = "/ws"

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp("TLS certificate (PEM); turns on TLS 1.2/1.3.", valueName: "FILE"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("TLS private key (PEM).", valueName: "FILE"))
    var tlsKey: String?

    @Option(help: "Balancing: least-conn, ip-hash or consistent-hash.")
    var balance: Balance = .leastConn

    @Option(help: "nginx worker_processes and HAProxy nbthread (default: this host's CPU count).")
    var workers: Int?

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("Idle WebSocket timeout in seconds (default 3 × ping interval).", valueName: "S"))
    var idleTimeout: Int?

    @Option(
        name: .customLong("drain-seconds"),
        help: ArgumentHelp("Graceful stop/reload bound (default reconnect window + ping interval).", valueName: "S"))
    var drainSeconds: Int?

    @Option(
        name: .customLong("upstream-keepalive"),
        help: "Idle upstream connections nginx keeps per worker for plain HTTP.")
    var upstreamKeepalive: Int = 32

    @Option(help: ArgumentHelp("systemd: the command an instance runs; %i is its port.", valueName: "CMD"))
    var exec: String = "/usr/bin/wstune serve --port %i"

    @Option(help: ArgumentHelp("systemd: NAME of NAME@.service.", valueName: "NAME"))
    var name: String = "wstune-ws"

    @Flag(name: .customLong("site-only"), help: "nginx: render only the site (for conf.d), not a whole nginx.conf.")
    var siteOnly = false

    @Option(
        help: ArgumentHelp(
            "nginx: put pid, logs and temp paths under DIR (for an unprivileged nginx -p DIR/).", valueName: "DIR"))
    var prefix: String?

    @Option(help: ArgumentHelp("Write here atomically instead of standard output.", valueName: "FILE"))
    var out: String?

    @Option(
        help: ArgumentHelp("Directory whose NAME.mustache files override the built-in templates.", valueName: "DIR"))
    var templates: String?

    @Flag(
        help:
            "Validate with the installed nginx -t, haproxy -c or systemd-analyze, and check the fd limit against the most this host gives."
    )
    var check = false

    @Option(
        name: .customLong("nginx-conf"),
        help: ArgumentHelp(
            "nginx: with --site-only --check, the main config the site is tested inside.", valueName: "FILE"))
    var nginxConf: String = "/etc/nginx/nginx.conf"

    @Flag(help: "Print {config, checks, validation} as JSON.")
    var json = false

    func options() throws -> RenderOptions {
        var o = RenderOptions()
        o.backends = try backends.map { try HostPort.parse($0, requireHost: true, option: "--backend") }
        o.listen = try listen.map { try HostPort.parse($0, requireHost: false, option: "--listen") }
        o.serverName = serverName
        o.path = path
        o.tlsCertificate = tlsCert
        o.tlsKey = tlsKey
        o.balance = balance
        o.workerProcesses = workers
        o.idleTimeoutSeconds = idleTimeout
        o.drainSeconds = drainSeconds
        o.upstreamKeepalive = upstreamKeepalive
        o.exec = exec
        o.unitName = name
        o.siteOnly = siteOnly
        if let prefix {
            let p = prefix.hasSuffix("/") && prefix.count > 1 ? String(prefix.dropLast()) : prefix
            guard p.hasPrefix("/"), !p.contains(" "), !p.contains(";") else {
                throw RenderError.invalidOption(
                    option: "--prefix", value: prefix, reason: "an absolute path without spaces or ';'")
            }
            o.nginxPaths = .under(p)
        }
        try o.validate()
        return o
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let profile = try profileOptions.load(in: context)
        let dirs = (templates.map { [$0] } ?? []) + DataDirectories.candidates("templates", explicit: nil, in: context)
        let renderer = ConfigRenderer(templateDirectories: dirs, cpuCount: context.cpuCount)
        let opts: RenderOptions
        let rendered: RenderedConfig
        var steps: [ValidationStep] = []
        var checks: [SizingCheck] = []
        do {
            opts = try options()
            rendered = try renderer.render(target, profile: profile, options: opts)
            checks = rendered.checks
            if check {
                // The limit the proxy will really get here, not only what the tuning would write.
                let ceiling = try? HostFdCeiling.read()
                let validator = ConfigValidator(renderer: renderer)
                if target == .nginx && opts.siteOnly {
                    let site = try validator.validateSite(
                        profile: profile, options: opts, mainConfig: nginxConf, ceiling: ceiling)
                    steps = site.steps
                    checks += site.checks
                } else {
                    steps = try validator.validate(target, profile: profile, options: opts)
                    if let ceiling {
                        checks += rendered.sizing.hostChecks(for: target, siteOnly: false, ceiling: ceiling)
                    }
                }
            }
        } catch let e as RenderError {
            context.printError("wstune render: \(e)")
            throw ExitStatus.couldNotRun
        }
        if let out {
            do { try AtomicFile.write(rendered.text, to: out) } catch let e as RenderError {
                context.printError("wstune render: \(e)")
                throw ExitStatus.couldNotRun
            }
        }
        if json {
            try context.printJSON(
                RenderJSON(
                    target: target.rawValue, profile: profile.name, file: out,
                    config: out == nil ? rendered.text : nil, checks: checks, validation: steps))
        } else {
            if out == nil { context.print(rendered.text, terminator: rendered.text.hasSuffix("\n") ? "" : "\n") }
            let t = context.stderrTerminal
            for c in checks {
                context.printError("\(c.passed ? t.paint("ok  ", .green) : t.paint("FAIL", .red)) \(c.id): \(c.detail)")
            }
            for s in steps {
                let label: String
                switch s.outcome {
                case .passed: label = t.paint("ok  ", .green)
                case .failed: label = t.paint("FAIL", .red)
                case .toolMissing: label = t.paint("MISSING", .yellow)
                }
                let score = s.exposureScore.map { " (exposure \($0))" } ?? ""
                context.printError("\(label) \(s.tool): \(s.command)\(score)")
                if s.outcome != .passed && !s.output.isEmpty {
                    context.printError(s.output.split(separator: "\n").map { "     \($0)" }.joined(separator: "\n"))
                }
            }
            if let out { context.printError("wrote \(out)") }
        }
        if steps.contains(where: { $0.outcome == .toolMissing }) { throw ExitStatus.couldNotRun }
        if !checks.allSatisfy(\.passed) || steps.contains(where: { $0.outcome == .failed }) {
            throw ExitStatus.notReady
        }
    }
}

/// `render --json` output.
struct RenderJSON: Encodable {
    var target: String
    var profile: String
    var file: String?
    var config: String?
    var checks: [SizingCheck]
    var validation: [ValidationStep]
}
