import Foundation
import Reference

/// A one-line progress bar on standard error (only when it is a TTY): connections, rate and ETA.
final class LoadProgressBar {
    private let terminal: Terminal
    private let stderr: any OutputSink
    private var lastWidth = 0

    init(in context: CommandContext = .live) {
        terminal = context.stderrTerminal
        stderr = context.stderr
    }

    var enabled: Bool { terminal.isTTY }

    func update(_ p: LoadProgress, label: String = "") {
        guard enabled else { return }
        let width = 30
        let done = p.requested > 0 ? min(1, Double(p.connected + p.failed) / Double(p.requested)) : 1
        let filled = Int(done * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        var line = "\(label)\(p.phase.rawValue) [\(bar)] \(p.connected)/\(p.requested) open \(p.open)"
        if p.failed > 0 { line += " " + terminal.paint("failed \(p.failed)", .red) }
        line += String(format: " %.0f/s", p.handshakesPerSecond)
        if p.phase == .ramp, let eta = p.etaSeconds { line += String(format: " ETA %.0fs", eta) }
        line += String(format: " %.1fs", p.elapsedSeconds)
        let pad = max(0, lastWidth - line.count)
        lastWidth = line.count
        stderr.write("\r" + line + String(repeating: " ", count: pad))
    }

    func finish() {
        guard enabled, lastWidth > 0 else { return }
        stderr.write("\n")
        lastWidth = 0
    }
}
