import ArgumentParser
import HostFacts
import SocketDiag
import Tuning

struct AuditCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Judge this host against a profile and a connection target; name the limit that binds first.",
        discussion: """
            Exit codes: 0 ready (warnings allowed), 1 not ready (a check failed; with --fail-on warn also a warning), \
            2 the audit could not run. Reads files only; starts no subprocess unless --unit is given on a host \
            where systemd runs (then `systemctl show`).
            Example: wstune audit --profile server-100k --unit chat.service
            """)

    @OptionGroup var profileOptions: ProfileOptions
    @OptionGroup var rootOption: RootOption

    @Option(help: "Judge the fd limits of this running process.")
    var pid: Int?

    @Option(
        help: ArgumentHelp(
            "Judge the fd limits systemd gives this unit (a unit that does not exist is an error).", valueName: "UNIT"))
    var unit: String?

    @Flag(
        name: .customLong("unit-may-not-exist"),
        help: "With --unit: a unit not installed yet is judged by the DefaultLimitNOFILE it would get.")
    var unitMayNotExist = false

    @Option(help: "Also report the limits.conf nofile a login session of this user gets.")
    var user: String?

    @Flag(help: "Print the report as JSON (schema in the README).")
    var json = false

    @Option(name: .customLong("fail-on"), help: FailOn.help)
    var failOn: FailOn = .fail

    @Option(name: .customLong("skip"), help: ArgumentHelp("Skip a check by id (repeatable).", valueName: "ID"))
    var skip: [String] = []

    @Flag(name: [.short, .long], help: "Show passing and not-applicable checks too.")
    var verbose = false

    func validate() throws {
        if pid != nil && unit != nil {
            throw ValidationError("--pid and --unit are exclusive: judge a process or a unit")
        }
        if unitMayNotExist && unit == nil { throw ValidationError("--unit-may-not-exist needs --unit") }
        if let unit, (try? SystemdUnitResolver.fullName(unit)) == nil {
            throw ValidationError(
                "--unit '\(unit)' is not a valid systemd unit name (letters, digits, \":-_.\\@\", e.g. chat or chat@8080.service)"
            )
        }
        let unknown = skip.filter { !CheckRegistry.ids.contains($0) }
        if !unknown.isEmpty {
            throw ValidationError(
                "--skip: unknown check id \(unknown.joined(separator: ", ")); ids: \(CheckRegistry.ids.joined(separator: ", "))"
            )
        }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let profile = try profileOptions.load(in: context)
        let target: HostSnapshot.Target = pid.map { .pid($0) } ?? unit.map { .unit($0) } ?? .currentProcess
        let root = rootOption.hostRoot(in: context)
        let host = try readingHost(in: context) {
            try HostSnapshot.read(
                root: root,
                options: .init(
                    target: target, user: user, liveListenPorts: ListeningPorts.provider,
                    liveBoundPorts: BoundPortCensus.provider(proxy: profile.proxy.value)))
        }
        var report = Audit.run(host: host, profile: profile, skip: Set(skip))
        report.findings = ApplyHint(profile: profileOptions, root: rootOption, unit: unit).fill(report.findings)
        report = report.judged(failOn: failOn.threshold)
        if let u = unit, let r = host.unitLimits { report.notes += try unitNotes(u, r, root: root, in: context) }
        if json {
            try context.printJSON(report)
        } else {
            context.print(AuditTextRenderer(terminal: context.stdoutTerminal, verbose: verbose).render(report))
        }
        if !report.ready { throw ExitStatus.notReady }
    }
}

extension AuditCommand {
    /// A unit that does not exist, is masked or that systemd refuses ends the audit (exit 2): judging systemd's
    /// defaults for a typo would be a confident wrong answer. `--unit-may-not-exist` lets a unit not installed yet
    /// be judged by DefaultLimitNOFILE, with a note.
    func unitNotes(
        _ unit: String, _ r: SystemdUnitLimits.Result, root: HostRoot, in context: CommandContext
    ) throws -> [String] {
        let name = (try? SystemdUnitResolver.fullName(unit)) ?? unit
        switch r.loadState {
        case .loaded:
            return []
        case .notFound:
            guard unitMayNotExist else {
                context.printError(
                    "wstune audit: unit \(name) not found (no unit file in systemd's search path under \(root.path)\(SystemdUnitLimits(root: root).systemdRuns ? ", and systemctl show says LoadState=not-found" : "")); check the name, or pass --unit-may-not-exist to judge the DefaultLimitNOFILE a new unit would get"
                )
                throw ExitStatus.couldNotRun
            }
            return ["unit \(name) does not exist yet: judged by the DefaultLimitNOFILE it would get (\(r.origin))"]
        case .masked:
            context.printError(
                "wstune audit: unit \(name) is masked (\(r.unitFile ?? "linked to /dev/null")): it cannot start")
            throw ExitStatus.couldNotRun
        case .error:
            let why = r.problems.filter(\.refusesUnit).map(\.description).joined(separator: "; ")
            context.printError("wstune audit: systemd refuses to load unit \(name)\(why.isEmpty ? "" : ": " + why)")
            throw ExitStatus.couldNotRun
        }
    }
}

/// The audit report as text.
struct AuditTextRenderer {
    let terminal: Terminal
    let verbose: Bool

    func render(_ r: AuditReport) -> String {
        var out: [String] = []
        let t = r.target
        let limits = t.nofileSoft.map { " (nofile soft \(grouped($0)), hard \(grouped(t.nofileHard ?? 0)))" } ?? ""
        out.append(
            terminal.paint("wstune audit", .bold)
                + " — profile \(r.profile), target \(grouped(r.connections)) connections, \(t.kind) \(t.name)\(limits)"
                + (r.root == "/" ? "" : ", root \(r.root)"))
        out.append("")
        let body = FindingRenderer(terminal: terminal, verbose: verbose).render(r.findings)
        if !body.isEmpty { out.append(body); out.append("") }
        var counts: [String] = []
        for s in [Severity.fail, .warn, .info, .pass, .notApplicable] {
            let n = r.findings.filter { $0.severity == s }.count
            if n > 0 { counts.append("\(n) \(s.rawValue)") }
        }
        out.append(
            "Checks: " + counts.joined(separator: ", ")
                + (r.skipped.isEmpty ? "" : "; skipped: \(r.skipped.joined(separator: ", "))"))
        for note in r.notes { out.append("Note: \(note)") }
        let cap = r.capacity
        let binding = cap.bindingLimit.map { " — binding limit: \($0) (\(cap.bindingDescription ?? ""))" } ?? ""
        out.append("Capacity as configured: ~\(grouped(cap.connections)) connections\(binding)")
        if r.ready {
            out.append(
                terminal.paint("READY", .green) + " for \(grouped(r.connections)) connections"
                    + (r.worst == .warn ? " (with warnings)" : ""))
        } else {
            let verb = r.failOn == .warn ? "at warn or worse (--fail-on warn)" : "failed"
            out.append(
                terminal.paint("NOT READY", .red)
                    + " for \(grouped(r.connections)) connections: \(r.blocking.joined(separator: ", ")) \(verb)")
        }
        return out.joined(separator: "\n")
    }
}
