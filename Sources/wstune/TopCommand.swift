import ArgumentParser
import Foundation
import HostFacts
import SocketDiag

/// `wstune top`: a live view of sockets, conntrack and file handles, redrawn in place on a TTY; one line (or one
/// JSON object) per interval otherwise.
struct TopCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Live view: established per port, open/close rates, states, queue pressure, conntrack, fds.",
        discussion: "On a terminal: full screen, q or Ctrl-C quits. Otherwise one line (or --json object) per interval."
    )

    @OptionGroup var filter: SocketFilterOptions

    @Option(name: .customLong("interval"), help: "Seconds between samples.")
    var intervalSeconds: Double = 1

    @Option(name: .customLong("iterations"), help: "Stop after this many samples (default: until interrupted).")
    var iterations: Int?

    @Option(name: .customLong("queue-threshold"), help: "Bytes in a socket's queue that count as pressure.")
    var queueThresholdBytes: UInt32 = 65536

    @Flag(name: .customLong("json"), help: "When not on a terminal: one JSON object per interval.")
    var json = false

    @Option(
        name: .customLong("source"),
        help:
            "Counts from the BPF live counter (bpf), a sock_diag dump per refresh (netlink), or bpf where it loads (auto)."
    )
    var source: LiveSourceChoice = .auto

    /// Where /proc and /sys files are read; netlink always asks the live kernel.
    @OptionGroup var rootOption: RootOption

    func validate() throws {
        if !(intervalSeconds >= 0.05 && intervalSeconds <= 3600) {
            throw ValidationError("--interval must be between 0.05 and 3600 seconds")
        }
        if let n = iterations, n < 1 { throw ValidationError("--iterations must be at least 1") }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let query = try filter.query(
            defaultStates: TCPState.allCases, grouping: nil,
            queueThresholdBytes: queueThresholdBytes)
        let hostRoot = rootOption.hostRoot(in: context)
        // Loaded before the screen is taken (an error prints on the normal terminal); released on every exit
        // path below, SIGINT and SIGTERM included (they end the loop).
        let live = try LiveSource.open(source, query: query, command: "top", in: context)
        TopSignals.install()
        let fullScreen = context.stdoutTerminal.isTTY && !json
        let screen = fullScreen ? TopScreenSession() : nil
        screen?.enter()
        defer { screen?.leave() }
        var previous: LiveSample?
        var count = 0
        while true {
            let sample: LiveSample
            do {
                sample = try LiveSample.take(query: query, root: hostRoot, live: live.counter)
            } catch {
                screen?.leave()
                context.printError("wstune top: \(error)")
                throw ExitStatus.couldNotRun
            }
            let delta = previous.map { LiveDelta(from: $0, to: sample) }
            let view = TopView(query: query, sample: sample, delta: delta, source: live)
            if let screen {
                screen.draw(
                    view.screenLines(terminal: context.stdoutTerminal, width: screen.size.columns),
                    rows: screen.size.rows)
            } else if json {
                try context.printJSONLine(view.jsonObject(at: context.now()))
            } else {
                context.stdout.write(Data((view.line() + "\n").utf8))
            }
            previous = sample
            count += 1
            if let n = iterations, count >= n { break }
            if TopSignals.wait(seconds: intervalSeconds, watchKeys: screen != nil) == .quit { break }
            if TopSignals.takeResize() { screen?.resized() }
        }
    }
}
