import ArgumentParser
import Foundation
import HostFacts
import ProxyConfig

/// `wstune textfile` (the issue's "render textfile"): a systemd service + timer that write `count --prometheus` atomically into
/// node_exporter's textfile directory every N seconds (the per-port counts node_exporter itself lacks:
/// prometheus/node_exporter issue #2490, PR #2785), with conntrack, fd usage of named units, ListenOverflows and
/// ListenDrops, ephemeral ports per backend and queue pressure.
struct RenderTextfileCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "textfile",
        abstract:
            "Render a systemd service + timer writing `count --prometheus` into node_exporter's textfile directory.",
        discussion: """
            Writes NAME.service and NAME.timer into --out-dir (or prints both on standard output). Every value \
            that reaches the unit files is validated first. --check runs systemd-analyze verify on both. \
            Exit codes: 0 rendered (and valid with --check), 1 systemd-analyze rejected a unit, 2 bad option or \
            systemd-analyze missing.
            Example: wstune textfile --port 443 --unit nginx --backend 10.0.0.5:8080 --out-dir /etc/systemd/system
            """)

    @Option(name: .customLong("interval"), help: ArgumentHelp("Seconds between refreshes (1-86400).", valueName: "S"))
    var intervalSeconds: Int = 15

    @Option(help: ArgumentHelp("node_exporter's --collector.textfile.directory.", valueName: "DIR"))
    var directory: String = "/var/lib/prometheus/node-exporter"

    @Option(name: .customLong("file-name"), help: "The .prom file written in the directory.")
    var fileName: String = "wstune.prom"

    @Option(name: .customLong("port"), help: "A listen port to count established sockets of (repeatable).")
    var ports: [UInt16] = []

    @Option(
        name: .customLong("unit"),
        help: ArgumentHelp("A systemd unit whose fd usage to export (repeatable).", valueName: "UNIT"))
    var units: [String] = []

    @Option(
        name: .customLong("backend"),
        help: ArgumentHelp(
            "A backend whose connection count to export against the ephemeral ports (repeatable).",
            valueName: "ADDR:PORT"))
    var backends: [String] = []

    @Option(help: ArgumentHelp("NAME of NAME.service and NAME.timer.", valueName: "NAME"))
    var name: String = "wstune-textfile"

    @Option(help: ArgumentHelp("The wstune binary the service runs.", valueName: "PATH"))
    var wstune: String = "/usr/bin/wstune"

    @Option(
        name: .customLong("out-dir"),
        help: ArgumentHelp("Write NAME.service and NAME.timer here (atomically).", valueName: "DIR"))
    var outDir: String?

    @Option(
        help: ArgumentHelp("Directory whose NAME.mustache files override the built-in templates.", valueName: "DIR"))
    var templates: String?

    @Flag(help: "Validate both units with systemd-analyze verify.")
    var check = false

    /// Absolute paths of plain characters only: they are written into a unit file's ExecStart= and ReadWritePaths=.
    static func isSafePath(_ p: String) -> Bool {
        p.hasPrefix("/") && !p.contains("/../") && !p.hasSuffix("/..")
            && p.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+".contains($0)) }
    }

    static func isSafeUnitName(_ u: String) -> Bool {
        !u.isEmpty && u.count <= 255
            && u.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ":_.@-".contains($0)) }
            && UnitFdUsage.isValidUnitName(u)
    }

    func validate() throws {
        guard (1...86400).contains(intervalSeconds) else {
            throw ValidationError("--interval takes 1 to 86400 seconds, got \(intervalSeconds)")
        }
        guard Self.isSafePath(directory) else {
            throw ValidationError("--directory takes an absolute path of letters, digits and /._-+, got '\(directory)'")
        }
        guard Self.isSafePath(wstune) else {
            throw ValidationError("--wstune takes an absolute path of letters, digits and /._-+, got '\(wstune)'")
        }
        guard !fileName.isEmpty, !fileName.hasPrefix("."), fileName.hasSuffix(".prom"), Self.isSafePath("/" + fileName),
            !fileName.contains("/")
        else {
            throw ValidationError(
                "--file-name takes a plain NAME.prom (node_exporter reads only *.prom), got '\(fileName)'")
        }
        guard Self.isSafeUnitName(name), !name.contains(".") else {
            throw ValidationError("--name takes a unit name without suffix, got '\(name)'")
        }
        if let bad = units.first(where: { !Self.isSafeUnitName($0) }) {
            throw ValidationError("--unit takes a unit name, got '\(bad)'")
        }
        if let bad = backends.first(where: { PrometheusHostFigures.Backend($0) == nil }) {
            throw ValidationError("--backend takes ADDR:PORT (an IP address, [v6]:port), got '\(bad)'")
        }
        if ports.contains(0) { throw ValidationError("--port takes 1-65535") }
        if let o = outDir {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: o, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("--out-dir \(o): no such directory")
            }
        }
    }

    /// The service's command line: every state, so CLOSE-WAIT growth shows; each argument validated above.
    var execStart: String {
        var args = [wstune, "count", "--prometheus", "--state", "all"]
        for p in ports { args += ["--port", String(p)] }
        for u in units { args += ["--unit", u] }
        for b in backends { args += ["--backend", PrometheusHostFigures.Backend(b)!.label] }
        args += ["--output", (directory as NSString).appendingPathComponent(fileName)]
        return args.joined(separator: " ")
    }

    func templateContext() -> [String: Any] {
        [
            "unit_name": name, "interval_seconds": intervalSeconds, "directory": directory,
            "file": (directory as NSString).appendingPathComponent(fileName), "exec_start": execStart,
            "timeout_seconds": max(5, min(intervalSeconds, 60)),
        ]
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let dirs = (templates.map { [$0] } ?? []) + DataDirectories.candidates("templates", explicit: nil, in: context)
        let renderer = TemplateRenderer(directories: dirs)
        let service: String, timer: String
        do {
            service = try renderer.render("textfile-service", context: templateContext())
            timer = try renderer.render("textfile-timer", context: templateContext())
        } catch let e as RenderError {
            context.printError("wstune textfile: \(e)")
            throw ExitStatus.couldNotRun
        }
        guard let outDir else {
            context.print("# \(name).service\n" + service + "\n# \(name).timer\n" + timer, terminator: "")
            if check {
                context.printError("wstune textfile: --check needs --out-dir (systemd-analyze verifies files)");
                throw ExitStatus.couldNotRun
            }
            return
        }
        let servicePath = (outDir as NSString).appendingPathComponent("\(name).service")
        let timerPath = (outDir as NSString).appendingPathComponent("\(name).timer")
        do {
            try AtomicFile.write(service, to: servicePath)
            try AtomicFile.write(timer, to: timerPath)
        } catch let e as RenderError {
            context.printError("wstune textfile: \(e)")
            throw ExitStatus.couldNotRun
        }
        context.print(servicePath)
        context.print(timerPath)
        guard check else { return }
        guard let exe = ToolRunner.locate("systemd-analyze", environment: context.environment) else {
            context.printError(
                "wstune textfile: systemd-analyze is not installed; cannot validate (install the Debian package systemd)"
            )
            throw ExitStatus.couldNotRun
        }
        let r = try ToolRunner.run(exe, ["verify", "--recursive-errors=no", servicePath, timerPath])
        let output = (r.stderr + r.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
        let passed = r.status == 0 && r.stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        context.printError(
            "systemd-analyze verify: \(passed ? "passed" : "failed")\(output.isEmpty ? "" : "\n" + output)")
        if !passed { throw ExitStatus.notReady }
    }
}
