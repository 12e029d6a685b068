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
        let sizing = ProxySizing(profile: profile, options: options, cpuCount: cpuCount)
        let context = TemplateContext.build(profile: profile, options: options, sizing: sizing)
        let name: String
        switch target {
        case .nginx: name = options.siteOnly ? "nginx-site" : "nginx"
        case .haproxy: name = "haproxy"
        case .systemd: name = "systemd-unit"
        }
        let text = try templates.render(name, context: context)
        return RenderedConfig(target: target, text: text, templateName: name, sizing: sizing,
                              checks: sizing.checks(for: target))
    }
}
