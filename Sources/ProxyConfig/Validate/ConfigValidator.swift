import Foundation
import Tuning

/// Validates rendered configs with the installed binaries. Measured facts it relies on (README):
/// `nginx -t -q -p PREFIX/ -e stderr -c FILE` passes unprivileged only when pid, every *_temp_path and
/// access_log sit under the prefix, and it binds the listen ports; `haproxy -dW -dr -c -f FILE` (without
/// `-dW` warnings still exit 0); `systemd-analyze verify` exits 0 on some parse errors, so any stderr fails.
public struct ConfigValidator: Sendable {
    public let renderer: ConfigRenderer

    public init(renderer: ConfigRenderer) {
        self.renderer = renderer
    }

    /// Renders a scratch copy of the config under a temp directory and runs the validators on it.
    public func validate(_ target: ProxyTarget, profile: Profile, options: RenderOptions) throws -> [ValidationStep] {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("wstune-check-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        switch target {
        case .nginx: return [try nginx(profile: profile, options: options, dir: dir)]
        case .haproxy: return [try haproxy(profile: profile, options: options, dir: dir)]
        case .systemd: return try systemd(profile: profile, options: options, dir: dir)
        }
    }

    /// `--site-only --check`: the site inside the host's real main config (`SiteInMainConfig`), with that config's
    /// worker arithmetic; when the main config does not exist, the site in a minimal one and a failed
    /// `nginx.main-config` check saying the worker numbers were not judged.
    public func validateSite(profile: Profile, options: RenderOptions, mainConfig: String, ceiling: HostFdCeiling?)
        throws
        -> (steps: [ValidationStep], checks: [SizingCheck])
    {
        guard FileManager.default.fileExists(atPath: mainConfig) else {
            let steps = try validate(.nginx, profile: profile, options: options)
            return (
                steps,
                [
                    SizingCheck(
                        id: "nginx.main-config", passed: false,
                        detail:
                            "\(mainConfig) does not exist: the site was checked inside a minimal main config, and the worker_connections, worker_rlimit_nofile and worker_shutdown_timeout it will run under were not judged (give --nginx-conf FILE)"
                    )
                ]
            )
        }
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("wstune-check-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(
            atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rendered = try renderer.render(.nginx, profile: profile, options: options)
        let r = try SiteInMainConfig(mainConfig: mainConfig, cpuCount: renderer.cpuCount)
            .validate(site: rendered.text, sizing: rendered.sizing, ceiling: ceiling, scratch: dir)
        return ([r.step], r.checks)
    }

    private func nginx(profile: Profile, options: RenderOptions, dir: String) throws -> ValidationStep {
        var opts = options
        opts.nginxPaths = .under(dir)
        let file = "\(dir)/nginx.conf"
        if options.siteOnly {
            // The site is an http-context snippet: check it included from a minimal main config, as conf.d does.
            let site = try renderer.render(.nginx, profile: profile, options: opts).text
            try site.write(toFile: "\(dir)/site.conf", atomically: true, encoding: .utf8)
            let p = opts.nginxPaths
            let main = """
                pid \(p.pidFile);
                error_log stderr;
                events {}
                http {
                    access_log \(p.accessLog);
                    client_body_temp_path \(dir)/body;
                    proxy_temp_path \(dir)/proxy;
                    fastcgi_temp_path \(dir)/fastcgi;
                    uwsgi_temp_path \(dir)/uwsgi;
                    scgi_temp_path \(dir)/scgi;
                    include \(dir)/site.conf;
                }

                """
            try main.write(toFile: file, atomically: true, encoding: .utf8)
        } else {
            try renderer.render(.nginx, profile: profile, options: opts).text
                .write(toFile: file, atomically: true, encoding: .utf8)
        }
        return try Self.nginxTest(file: file, prefix: dir)
    }

    /// `nginx -t` on a whole config whose writable paths sit under `prefix`. Any output fails (it is `-q`).
    public static func nginxTest(file: String, prefix: String) throws -> ValidationStep {
        let args = ["-t", "-q", "-p", prefix.hasSuffix("/") ? prefix : prefix + "/", "-e", "stderr", "-c", file]
        return try step("nginx", args) { r in r.status == 0 && r.stderr.isEmpty }
    }

    private func haproxy(profile: Profile, options: RenderOptions, dir: String) throws -> ValidationStep {
        let file = "\(dir)/haproxy.cfg"
        try renderer.render(.haproxy, profile: profile, options: options).text
            .write(toFile: file, atomically: true, encoding: .utf8)
        return try Self.haproxyCheck(file: file)
    }

    /// `haproxy -dW -dr -c -f FILE`: warnings are fatal, unresolvable server names are not.
    public static func haproxyCheck(file: String) throws -> ValidationStep {
        try step("haproxy", ["-dW", "-dr", "-c", "-f", file]) { r in r.status == 0 }
    }

    private func systemd(profile: Profile, options: RenderOptions, dir: String) throws -> [ValidationStep] {
        let unit = "\(dir)/\(options.unitName)@.service"
        try renderer.render(.systemd, profile: profile, options: options).text
            .write(toFile: unit, atomically: true, encoding: .utf8)
        let port = TemplateContext.instancePort(profile: profile, options: options)
        let instance = "\(dir)/\(options.unitName)@\(port).service"
        let verify = try Self.step(
            "systemd-analyze", ["verify", "--recursive-errors=no", instance], label: "systemd-analyze verify"
        ) {
            r in r.status == 0 && r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        var security = try Self.step(
            "systemd-analyze", ["security", "--offline=yes", "--no-pager", instance],
            label: "systemd-analyze security"
        ) { r in r.status == 0 }
        security.exposureScore = SecurityScore.parse(security.output)
        if security.outcome == .passed && security.exposureScore == nil { security.outcome = .failed }
        return [verify, security]
    }

    static func step(
        _ tool: String, _ args: [String], label: String? = nil,
        passes: (ToolRunner.Result) -> Bool
    ) throws -> ValidationStep {
        let name = label ?? tool
        let command = ([tool] + args).joined(separator: " ")
        guard let exe = ToolRunner.locate(tool) else {
            return ValidationStep(
                tool: name, command: command, outcome: .toolMissing,
                output:
                    "\(tool) is not installed; cannot validate (install the Debian package \(tool == "systemd-analyze" ? "systemd" : tool))"
            )
        }
        let r = try ToolRunner.run(exe, args)
        let output = [r.stderr, r.stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.joined(separator: "\n")
        return ValidationStep(tool: name, command: command, outcome: passes(r) ? .passed : .failed, output: output)
    }
}
