import Foundation
import HostFacts
import Tuning

/// `render nginx --site-only --check`: the site tested the way the host's nginx will load it, inside the real main
/// config, never a stand-in. A scratch directory mirrors the main config's directory (a symbolic link per entry, so
/// relative includes still resolve) and holds a copy of the main file with `include SITE;` added at the end of its
/// http block, where conf.d and sites-enabled files land. `nginx -t` runs on that copy and on the unchanged copy:
/// what the site adds (an error, a warning such as `conflicting server name`) fails the step. Nothing under the
/// main config's directory is written.
public struct SiteInMainConfig: Sendable {
    public let mainConfig: String
    public let cpuCount: Int

    public init(mainConfig: String, cpuCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.mainConfig =
            mainConfig.hasPrefix("/") ? mainConfig : FileManager.default.currentDirectoryPath + "/" + mainConfig
        self.cpuCount = cpuCount
    }

    /// The validation step and the main config's worker arithmetic for `sizing`.
    public func validate(site: String, sizing: ProxySizing, ceiling: HostFdCeiling?, scratch dir: String) throws
        -> (step: ValidationStep, checks: [SizingCheck])
    {
        let config: NginxConfig
        do {
            config = try NginxConfigLoader().load(mainConfig)
        } catch let e as ConfigParseError {
            throw RenderError.invalidOption(
                option: "--nginx-conf", value: mainConfig, reason: "cannot read the main config: \(e)")
        }
        let checks = MainConfigSizing(config, cpuCount: cpuCount).checks(sizing, ceiling: ceiling)
        guard let text = try? String(contentsOfFile: mainConfig, encoding: .utf8) else {
            throw RenderError.invalidOption(
                option: "--nginx-conf", value: mainConfig, reason: "cannot read the main config")
        }
        let sitePath = "\(dir)/wstune-site.conf"
        guard
            let withSite = Self.including(
                sitePath, inHTTPOf: text,
                httpLine: config.httpBlocks.first { $0.location.file == config.mainFile }?.location.line)
        else {
            return (
                ValidationStep(
                    tool: "nginx", command: "nginx -t -c \(mainConfig)", outcome: .failed,
                    output: "\(mainConfig): no http { } block in the main file to include the site in"), checks
            )
        }
        let mirror = "\(dir)/conf"
        try FileManager.default.createDirectory(atPath: mirror, withIntermediateDirectories: true)
        let realDir = (mainConfig as NSString).deletingLastPathComponent
        let name = (mainConfig as NSString).lastPathComponent
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: realDir)) ?? [] where entry != name {
            try? FileManager.default.createSymbolicLink(
                atPath: "\(mirror)/\(entry)", withDestinationPath: "\(realDir)/\(entry)")
        }
        try site.write(toFile: sitePath, atomically: true, encoding: .utf8)
        let copy = "\(mirror)/\(name)"
        try text.write(toFile: copy, atomically: true, encoding: .utf8)
        let baseline = try ConfigValidator.step("nginx", ["-t", "-q", "-e", "stderr", "-c", copy]) { $0.status == 0 }
        try withSite.write(toFile: copy, atomically: true, encoding: .utf8)
        var step = try ConfigValidator.step("nginx", ["-t", "-q", "-e", "stderr", "-c", copy]) { $0.status == 0 }
        step.command = "nginx -t -q -e stderr -c \(mainConfig) with the site included at the end of its http block"
        if step.outcome == .toolMissing { return (step, checks) }
        if baseline.outcome == .failed {
            step.outcome = .failed
            step.output = "the main config fails nginx -t on its own (without the site):\n" + baseline.output
            return (step, checks)
        }
        // Warnings the main config prints anyway are not the site's; anything new is.
        let before = Set(baseline.output.split(separator: "\n"))
        let added = step.output.split(separator: "\n").filter { !before.contains($0) }
        if !added.isEmpty { step.outcome = .failed }
        step.output = step.output.replacingOccurrences(of: copy, with: mainConfig)
        return (step, checks)
    }

    /// `text` with `include PATH;` before the brace closing the http block that starts on `httpLine` (1-based);
    /// nil when there is none. Braces inside comments and quoted strings do not count.
    static func including(_ path: String, inHTTPOf text: String, httpLine: Int?) -> String? {
        guard let httpLine else { return nil }
        let chars = Array(text)
        var i = 0
        var line = 1
        while i < chars.count && line < httpLine {
            if chars[i] == "\n" { line += 1 }
            i += 1
        }
        var depth = 0
        var quote: Character?
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == "\\" { i += 2; continue }
                if c == q { quote = nil }
            } else if c == "#" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "{" {
                depth += 1
            } else if c == "}" {
                depth -= 1
                if depth == 0 {
                    return String(chars[..<i]) + "    include \(path);\n" + String(chars[i...])
                }
                if depth < 0 { return nil }
            }
            i += 1
        }
        return nil
    }
}
