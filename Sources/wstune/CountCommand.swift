import ArgumentParser
import HostFacts
import ProxyConfig
import SocketDiag

/// `wstune count`: sockets over sock_diag (and conntrack) as one number, a table, JSON or Prometheus text.
struct CountCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count TCP sockets (sock_diag) and conntrack entries, faster than ss.",
        discussion: """
            With no --by, prints one number: sockets matching the filter in the asked states (established by \
            default), so it composes in scripts. --by prints a table, then queue pressure and conntrack. \
            Exit 2 when netlink is not available.
            """)

    @OptionGroup var filter: SocketFilterOptions

    @Option(name: .customLong("by"), help: "Print a table by state, port or peer.")
    var grouping: SocketQuery.Grouping?

    @Option(name: .customLong("queue-threshold"), help: "Bytes in a socket's queue that count as pressure.")
    var queueThresholdBytes: UInt32 = 65536

    @Flag(
        name: .customLong("conntrack"),
        help: "Count conntrack instead of sockets: entries against nf_conntrack_max, statistics, TCP entries by state.")
    var conntrackOnly = false

    @Option(
        name: .customLong("conntrack-engine"),
        help: "Conntrack dump decoder: raw (libmnl) or library (libnetfilter_conntrack).")
    var conntrackEngine: ConntrackReader.Engine = .raw

    @Option(name: .customLong("top"), help: "Rows in the --by peer and --by port tables.")
    var topRows: Int = 20

    @Flag(name: .customLong("json"), help: "One JSON object with every figure.")
    var json = false

    @Flag(name: .customLong("prometheus"), help: "node_exporter textfile-collector format.")
    var prometheus = false

    @Flag(name: .customLong("timing"), help: "Print the time spent in netlink to standard error.")
    var timing = false

    /// Where /proc and /sys files are read; netlink always asks the live kernel.
    @OptionGroup var rootOption: RootOption

    @Option(
        name: .customLong("unit"),
        help: ArgumentHelp(
            "With --prometheus: fd usage of this systemd unit's processes (repeatable).", valueName: "UNIT"))
    var units: [String] = []

    @Option(
        name: .customLong("backend"),
        help: ArgumentHelp(
            "With --prometheus: established connections to this backend, against the ephemeral ports of one 4-tuple (repeatable).",
            valueName: "ADDR:PORT"))
    var backends: [String] = []

    @Option(
        name: .customLong("output"),
        help: ArgumentHelp(
            "With --prometheus: write atomically to FILE (temp file + rename, for node_exporter's textfile directory).",
            valueName: "FILE"))
    var output: String?

    @Flag(name: .customLong("live"), help: "Print the count once per --interval until interrupted (see --source).")
    var live = false

    @Option(name: .customLong("interval"), help: "With --live: seconds between lines.")
    var liveIntervalSeconds: Double = 1

    @Option(name: .customLong("iterations"), help: "With --live: stop after this many lines.")
    var liveIterations: Int?

    @Option(
        name: .customLong("source"),
        help: "With --live: the BPF live counter (bpf), a dump per line (netlink), or bpf where it loads (auto).")
    var source: LiveSourceChoice = .auto

    func validate() throws {
        if json && prometheus { throw ValidationError("--json and --prometheus exclude each other") }
        if topRows < 1 { throw ValidationError("--top must be at least 1") }
        if output != nil && !prometheus { throw ValidationError("--output goes with --prometheus") }
        if (!units.isEmpty || !backends.isEmpty) && !prometheus {
            throw ValidationError("--unit and --backend go with --prometheus")
        }
        if let bad = units.first(where: { !UnitFdUsage.isValidUnitName($0) }) {
            throw ValidationError("--unit takes a unit name, got '\(bad)'")
        }
        if let bad = backends.first(where: { PrometheusHostFigures.Backend($0) == nil }) {
            throw ValidationError("--backend takes ADDR:PORT (an IP address, [v6]:port), got '\(bad)'")
        }
        if live && (prometheus || grouping != nil || conntrackOnly) {
            throw ValidationError("--live prints the plain count or --json: not with --by, --prometheus, --conntrack")
        }
        if !(liveIntervalSeconds >= 0.05 && liveIntervalSeconds <= 3600) {
            throw ValidationError("--interval must be between 0.05 and 3600 seconds")
        }
        if let n = liveIterations, n < 1 { throw ValidationError("--iterations must be at least 1") }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let hostRoot = rootOption.hostRoot(in: context)
        if conntrackOnly { return try runConntrack(root: hostRoot, in: context) }
        // A table by state shows every state unless some were asked for; the plain number counts established.
        let defaultStates: [TCPState] = grouping == .state ? TCPState.allCases : [.established]
        let query = try filter.query(
            defaultStates: defaultStates, grouping: grouping,
            queueThresholdBytes: queueThresholdBytes)
        if live { return try runLive(query: query, in: context) }
        let started = LiveSample.monotonicSeconds()
        let counts: SocketCounts
        do {
            counts = try SocketCounter.count(query)
        } catch let e as SocketDiagError {
            context.printError("wstune count: \(e)")
            throw ExitStatus.couldNotRun
        }
        if timing { printTiming("sock_diag", in: context, since: started, detail: "\(counts.dumps) dumps") }
        var conntrack: ConntrackSummary?
        if json || prometheus || grouping != nil {
            conntrack = try readConntrack(root: hostRoot, byState: false, in: context)
        }
        let report = CountReport(query: query, counts: counts, conntrack: conntrack, topRows: topRows)
        if json {
            try context.printJSON(report)
        } else if prometheus {
            let figures: PrometheusHostFigures
            do {
                figures = try PrometheusHostFigures.read(
                    root: hostRoot, units: units, backends: backends.compactMap(PrometheusHostFigures.Backend.init))
            } catch {
                context.printError("wstune count: \(error)")
                throw ExitStatus.couldNotRun
            }
            let text = report.prometheusText() + figures.prometheusText()
            if let output {
                do { try AtomicFile.write(text, to: output) } catch {
                    context.printError("wstune count: \(error)")
                    throw ExitStatus.couldNotRun
                }
            } else {
                context.print(text, terminator: "")
            }
        } else if grouping == nil {
            context.print(report.matching)
        } else {
            context.print(report.text(grouping: grouping, terminal: context.stdoutTerminal), terminator: "")
        }
    }

    /// `--conntrack`: entries, max, statistics and a by-state dump; no socket dump.
    func runConntrack(root: HostRoot, in context: CommandContext) throws {
        let summary = try readConntrack(root: root, byState: true, in: context)
        let report = ConntrackReport(summary)
        if json {
            try context.printJSON(report)
        } else if prometheus {
            context.print(report.prometheusText(), terminator: "")
        } else {
            context.print(report.text(terminal: context.stdoutTerminal), terminator: "")
        }
    }

    func readConntrack(root: HostRoot, byState: Bool, in context: CommandContext) throws -> ConntrackSummary {
        let engine = conntrackEngine
        let timed: ((ConntrackReader.Phase, Double) -> Void)? =
            timing
            ? { phase, seconds in
                let what = phase == .dump ? "\(phase.rawValue) (\(engine.rawValue))" : phase.rawValue
                context.printError("timing: \(what) \(Self.milliseconds(seconds)) ms")
            } : nil
        do {
            return try ConntrackReader.read(root: root, byState: byState, engine: engine, timed: timed)
        } catch {
            context.printError("wstune count: conntrack: \(error)")
            throw ExitStatus.couldNotRun
        }
    }

    func printTiming(_ what: String, in context: CommandContext, since start: Double, detail: String) {
        let ms = Self.milliseconds(LiveSample.monotonicSeconds() - start)
        context.printError("timing: \(what) \(ms) ms\(detail.isEmpty ? "" : " (\(detail))")")
    }

    /// Milliseconds to two decimals, as Benchmarks/count/run reads them.
    static func milliseconds(_ seconds: Double) -> Double { (seconds * 100_000).rounded() / 100 }
}
