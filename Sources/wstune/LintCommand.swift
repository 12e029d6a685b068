import ArgumentParser
import Foundation
import HostFacts
import ProxyConfig
import Tuning

struct LintCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Find the WebSocket pitfalls in existing nginx, HAProxy or systemd configs.",
        discussion: """
            nginx follows include (globs too) and also reads `nginx -T` output (FILE - reads standard input). \
            Each finding has a stable id, severity, file:line, why and the fix. Exit codes as for audit: 0 no \
            failure, 1 a check failed (or warned, with --fail-on warn), 2 could not run (file missing or unreadable).
            Examples: wstune lint nginx; nginx -T | wstune lint nginx -; wstune lint systemd chat@.service --profile server-100k
            """)

    @Argument(help: "What to lint: nginx, haproxy or systemd.")
    var target: ProxyTarget

    @Argument(
        help: ArgumentHelp(
            "Config file (default /etc/nginx/nginx.conf, /etc/haproxy/haproxy.cfg); a unit name or file for systemd.",
            valueName: "FILE|UNIT"))
    var file: String?

    @OptionGroup var profileOptions: ProfileOptions
    @OptionGroup var rootOption: RootOption

    @Option(
        name: .customLong("ping-interval"), help: ArgumentHelp("Override the profile's ping interval.", valueName: "S"))
    var pingInterval: Int?

    @Option(help: "The WebSocket path (health checks must not use it).")
    var path: String = "/ws"

    @Option(
        help: ArgumentHelp(
            "Unit whose LimitNOFILE the proxy runs with (default nginx.service / haproxy.service).", valueName: "UNIT"))
    var unit: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(name: .customLong("fail-on"), help: FailOn.help)
    var failOn: FailOn = .fail

    @Flag(name: [.short, .long], help: "Show passing checks too.")
    var verbose = false

    func validate() throws {
        if let p = pingInterval, p <= 0 { throw ValidationError("--ping-interval must be positive") }
        if target == .systemd && file == nil { throw ValidationError("lint systemd needs a unit name or unit file") }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        var profile = try profileOptions.load(in: context)
        if let p = pingInterval { profile.pingIntervalSeconds = Sourced(p, .explicit(profile: "--ping-interval")) }
        let root = rootOption.hostRoot(in: context)
        let report: LintReport
        do {
            switch target {
            case .nginx:
                let r = try requirement(profile, root: root, unit: unit ?? "nginx.service", in: context)
                let config: NginxConfig
                if file == "-" {
                    config = try NginxConfigLoader.load(dump: try Self.standardInput(context.input))
                } else {
                    let path = absolute(file ?? "/etc/nginx/nginx.conf", root: root)
                    if let id = root.identity(path), !id.isRegularFile {
                        throw ConfigParseError(
                            file: root.resolve(path), line: 0,
                            reason: "not a regular file (a FIFO, device or directory): not read")
                    }
                    if let text = try root.readText(path), NginxConfigLoader.isDump(text) {
                        config = try NginxConfigLoader.load(dump: text)
                    } else {
                        config = try NginxConfigLoader(root: root).load(path)
                    }
                }
                report = Lint.run(nginx: config, r)
            case .haproxy:
                let r = try requirement(profile, root: root, unit: unit ?? "haproxy.service", in: context)
                report = Lint.run(
                    haproxy: try HAProxyConfig.load(
                        absolute(file ?? "/etc/haproxy/haproxy.cfg", root: root), root: root,
                        environment: context.environment), r)
            case .systemd:
                let name = file!
                let d = try SystemdUnitLimits(root: root).defaultLimit()
                let r = LintRequirement(
                    profile: profile, webSocketPath: path, cpuCount: context.cpuCount,
                    defaultUnitLimit: d.limit, defaultUnitLimitOrigin: d.origin)
                report = Lint.run(
                    unit: try SystemdUnitLoader(root: root).load(
                        name.contains("/") ? absolute(name, root: root) : name), r)
            }
        } catch let e as ConfigParseError {
            context.printError("wstune lint: \(e)")
            throw ExitStatus.couldNotRun
        } catch let e as HostFactsError {
            context.printError("wstune lint: \(e)")
            throw ExitStatus.couldNotRun
        }
        if json {
            try context.printJSON(report)
        } else {
            context.print(LintTextRenderer(terminal: context.stdoutTerminal, verbose: verbose).render(report))
        }
        if report.worst >= failOn.threshold { throw ExitStatus.notReady }
    }

    /// `nginx -T` text from standard input, at most `NginxConfigLoader.maxTotalBytes` (a bigger dump is refused,
    /// not read into memory). CR LF line ends are handled by the dump splitter and the nginx tokenizer.
    static func standardInput(_ input: CommandInput) throws -> String {
        let limit = NginxConfigLoader.maxTotalBytes
        let bytes = try input.readAll(limit + 1)
        if bytes.count > limit {
            throw ConfigParseError(
                file: "nginx -T output", line: 0, reason: "more than \(limit >> 20) MiB on standard input: not read")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Up to `atMost` bytes of this process's standard input. read(2) directly: Foundation's FileHandle traps on
    /// EBADF or EISDIR (`<&-`, `< /tmp`).
    static func readStandardInput(atMost: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        if Output.standardInputWasClosed {
            throw ConfigParseError(
                file: "standard input", line: 0, reason: "cannot read: \(String(cString: strerror(EBADF)))")
        }
        while bytes.count < atMost {
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConfigParseError(
                    file: "standard input", line: 0, reason: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    /// The profile's target and the fd limit the proxy's unit gets on this host.
    private func requirement(
        _ profile: Profile, root: HostRoot, unit: String, in context: CommandContext
    ) throws -> LintRequirement {
        let limits = try SystemdUnitLimits(root: root).read(unit: unit)
        return LintRequirement(
            profile: profile, webSocketPath: path, cpuCount: context.cpuCount,
            unitLimit: limits.limit, unitLimitOrigin: "\(unit): \(limits.origin)")
    }

    /// A relative FILE is relative to the working directory on the live root, to the root otherwise.
    private func absolute(_ file: String, root: HostRoot) -> String {
        if file.hasPrefix("/") || !root.isLiveRoot { return file }
        return FileManager.default.currentDirectoryPath + "/" + file
    }
}
