import Foundation

/// The option sets `render` is tested with; the lint tests render the same matrix and expect it clean.
enum RenderMatrix {
    struct Case {
        var name: String
        /// Arguments after `wstune render TARGET`; `TLS` entries are filled in by `arguments(tls:)`.
        var args: [String]
        var tls = false
        var siteOnly = false
    }

    static let cases: [Case] = [
        Case(
            name: "proxy-two-backends",
            args: ["--profile", "proxy", "--backend", "127.0.0.1:9001", "--backend", "127.0.0.1:9002"]),
        Case(
            name: "gateway-1m-consistent-hash",
            args: [
                "--profile", "gateway-1m", "--balance", "consistent-hash", "--workers", "4",
                "--backend", "10.1.0.1:8080", "--backend", "10.1.0.2:8080", "--backend", "10.1.0.3:8080",
            ]),
        Case(
            name: "dev-ip-hash-root-path",
            args: ["--profile", "dev", "--balance", "ip-hash", "--path", "/", "--server-name", "ws.example.test"]),
        Case(
            name: "server-100k-one-worker-long-idle",
            args: [
                "--profile", "server-100k", "--workers", "1", "--idle-timeout", "120",
                "--drain-seconds", "90", "--backend", "[::1]:9000",
            ]),
        Case(
            name: "proxy-tls", args: ["--profile", "proxy", "--backend", "127.0.0.1:9001", "--path", "/socket"],
            tls: true),
        Case(
            name: "proxy-site-only",
            args: [
                "--profile", "proxy", "--backend", "127.0.0.1:9001", "--site-only", "--server-name", "ws.example.test",
            ], siteOnly: true),
    ]

    /// Full argument list for a target; nginx gets a scratch prefix, every proxy a free loopback port.
    static func arguments(
        _ c: Case, target: String, port: Int, prefix: String,
        tls: (cert: String, key: String, combined: String)?
    ) -> [String] {
        var a = ["render", target] + c.args
        if target != "nginx" { a.removeAll { $0 == "--site-only" } }
        if target == "systemd" {
            a =
                ["render", "systemd"] + stripProxyOnly(c.args) + [
                    "--exec", "/usr/bin/python3 -m http.server %i", "--listen", "\(port)",
                ]
            return a
        }
        a += ["--listen", "127.0.0.1:\(port)"]
        if target == "nginx" { a += ["--prefix", prefix] }
        if c.tls, let tls {
            a +=
                target == "nginx"
                ? ["--tls-cert", tls.cert, "--tls-key", tls.key]
                : ["--tls-cert", tls.combined, "--tls-key", tls.combined]
        }
        return a
    }

    /// systemd takes the profile and timing options only.
    private static func stripProxyOnly(_ args: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if ["--profile", "--drain-seconds"].contains(a), i + 1 < args.count {
                out += [a, args[i + 1]]
                i += 2
            } else if a.hasPrefix("--") && a != "--site-only" {
                i += 2
            } else {
                i += 1
            }
        }
        return out
    }
}
