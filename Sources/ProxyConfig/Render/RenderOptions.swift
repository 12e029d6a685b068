/// Everything `wstune render` takes besides the profile. Unset numbers are derived from the profile by
/// `ProxySizing`; the README's "Rendered configs" table says where each one comes from.
public struct RenderOptions: Sendable, Equatable {
    /// Backend WebSocket servers the proxy connects to (default: one on 127.0.0.1 at the profile's server port).
    public var backends: [HostPort] = []
    /// Where the proxy listens (or the port the systemd instance is checked with); default from the profile.
    public var listen: HostPort?
    public var serverName: String = "_"
    /// The WebSocket location; `/healthz` is the proxy's own and never proxied.
    public var path: String = "/ws"
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var balance: Balance = .leastConn
    /// nginx worker_processes (default: this host's CPU count, written as a number so the fd arithmetic holds).
    public var workerProcesses: Int?
    /// Idle timeout of a proxied WebSocket (default: 3 × the profile's ping interval).
    public var idleTimeoutSeconds: Int?
    /// Seconds a graceful stop or reload may take (default: reconnect window + ping interval).
    public var drainSeconds: Int?
    /// Idle keepalive connections each nginx worker keeps to the upstream for plain HTTP requests.
    public var upstreamKeepalive: Int = 32
    /// systemd: the command the instance runs; `%i` is the instance's port.
    public var exec: String = "/usr/bin/wstune serve --port %i"
    /// systemd: NAME of `NAME@.service` (used to name the file and for `--check`).
    public var unitName: String = "wstune-ws"
    /// nginx: render only the site (http-context snippet for conf.d) instead of a whole nginx.conf.
    public var siteOnly: Bool = false
    /// Paths nginx writes to; `--check` swaps them for a scratch prefix.
    public var nginxPaths: NginxPaths = .debian

    public init() {}

    /// Rejects values that would break out of a directive: quotes, braces, semicolons, any control or non-ASCII
    /// character (newlines, U+2028 …). Every option string that reaches a template goes through here.
    public func validate() throws {
        func plain(_ value: String, _ option: String, allowSpaces: Bool = false) throws {
            let bad = value.unicodeScalars.first {
                !$0.isASCII || $0.value < 0x20 || $0.value == 0x7F || "\n\r;{}\"'`\\$#".unicodeScalars.contains($0)
                    || (!allowSpaces && $0 == " ")
            }
            if let bad {
                let shown =
                    bad.isASCII && bad.value >= 0x20 && bad.value != 0x7F
                    ? "'\(bad)'" : String(format: "U+%04X", bad.value)
                throw RenderError.invalidOption(option: option, value: value, reason: "\(shown) is not allowed here")
            }
            if value.isEmpty {
                throw RenderError.invalidOption(option: option, value: value, reason: "must not be empty")
            }
        }
        try plain(serverName, "--server-name")
        try plain(path, "--path")
        guard path.hasPrefix("/") else {
            throw RenderError.invalidOption(option: "--path", value: path, reason: "must start with /")
        }
        if path == "/healthz" || path == "/readyz" {
            throw RenderError.invalidOption(
                option: "--path", value: path, reason: "\(path) is reserved for health checks")
        }
        switch (tlsCertificate, tlsKey) {
        case (nil, nil): break
        case (let c?, let k?):
            try plain(c, "--tls-cert")
            try plain(k, "--tls-key")
        default:
            throw RenderError.invalidOption(option: "--tls-cert/--tls-key", value: "", reason: "give both or neither")
        }
        try plain(exec.replacingOccurrences(of: "%i", with: "PORT"), "--exec", allowSpaces: true)
        guard exec.contains("%i") else {
            throw RenderError.invalidOption(
                option: "--exec", value: exec, reason: "must pass the instance's port as %i")
        }
        guard exec.hasPrefix("/") else {
            throw RenderError.invalidOption(
                option: "--exec", value: exec, reason: "systemd needs an absolute program path")
        }
        guard unitName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
            !unitName.isEmpty
        else {
            throw RenderError.invalidOption(
                option: "--name", value: unitName, reason: "letters, digits, '-', '_' and '.' only")
        }
        for b in backends { if let h = b.host { try plain(h, "--backend") } }
        if let h = listen?.host { try plain(h, "--listen") }
        for (value, option) in [
            (nginxPaths.pidFile, "pid file"), (nginxPaths.errorLog, "error log"),
            (nginxPaths.accessLog, "access log"), (nginxPaths.tempDirectory, "temp dir"),
        ] {
            try plain(value, option)
        }
        for (value, option) in [
            (workerProcesses, "--workers"), (idleTimeoutSeconds, "--idle-timeout"),
            (drainSeconds, "--drain-seconds"), (upstreamKeepalive, "--upstream-keepalive"),
        ] {
            if let v = value, v < (option == "--upstream-keepalive" ? 0 : 1) {
                throw RenderError.invalidOption(option: option, value: "\(v)", reason: "must be positive")
            }
        }
    }

    var usesTLS: Bool { tlsCertificate != nil }
}
