import Foundation
import Tuning

/// Renders the nginx, HAProxy or systemd config for a profile and options (the library side of `wstune render`).
public struct ConfigRenderer: Sendable {
    public let templates: TemplateRenderer
    /// CPU count used for nginx's worker_processes when `--workers` is not given.
    public let cpuCount: Int

    public init(templateDirectories: [String], cpuCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        templates = TemplateRenderer(directories: templateDirectories)
        self.cpuCount = cpuCount
    }

    public func render(_ target: ProxyTarget, profile: Profile, options: RenderOptions) throws -> RenderedConfig {
        try options.validate()
        if target == .haproxy, let cert = options.tlsCertificate, let key = options.tlsKey, key != cert,
            key != cert + ".key"
        {
            // HAProxy 2.6 reads the key from the certificate file itself or from CERT.key next to it.
            throw RenderError.invalidOption(
                option: "--tls-key", value: key,
                reason: "HAProxy reads the key from the --tls-cert file or from \(cert).key; put the key there")
        }
        if target == .nginx && options.siteOnly && options.serverName == "_" {
            // A site joins a main config that already has a default server (Debian's sites-enabled/default:
            // `listen 80 default_server; server_name _;`): a second "_" is "conflicting server name, ignored" and
            // clients get the default site's 404. A name of its own never clashes; on a port of its own the site is
            // that port's default server whatever its name.
            throw RenderError.invalidOption(
                option: "--server-name", value: "_",
                reason:
                    "a --site-only site joins an existing nginx whose default server already answers for \"_\" (Debian: sites-enabled/default); give the host name clients use"
            )
        }
        let sizing = ProxySizing(profile: profile, options: options, cpuCount: cpuCount)
        var context = TemplateContext.build(profile: profile, options: options, sizing: sizing)
        let name: String
        switch target {
        case .nginx: name = options.siteOnly ? "nginx-site" : "nginx"
        case .haproxy: name = "haproxy"
        case .systemd: name = "systemd-unit"
        }
        if name == "nginx" {
            // The site goes inside http { }: rendered on its own and indented here, because Mustache indents
            // only the first line of a multi-line section inside an indented partial.
            let site = try Self.tidy(templates.render("nginx-site", context: context))
            context["site"] = site.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
                .trimmingCharacters(in: .newlines)
        }
        let text = try Self.tidy(templates.render(name, context: context))
        // A site alone holds none of the worker numbers (worker_connections, worker_rlimit_nofile,
        // worker_shutdown_timeout live in the main config): only its own timeout is checked here; `render --check`
        // judges the real main config's numbers (`MainConfigSizing`).
        let checks =
            target == .nginx && options.siteOnly
            ? sizing.checks(for: target).filter { $0.id == "proxy.idle-timeout" } : sizing.checks(for: target)
        return RenderedConfig(target: target, text: text, templateName: name, sizing: sizing, checks: checks)
    }

    /// Drops trailing blanks on each line (standalone tags leave indentation behind) and ends with one newline.
    static func tidy(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var l = line
            while l.last == " " || l.last == "\t" { l.removeLast() }
            return l
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
