import Foundation
import Reference

/// Text rendering of a load report (the CLI's job; the library returns values).
struct LoadReportRenderer {
    let terminal: Terminal

    func lines(_ r: LoadReport) -> [String] {
        var out: [String] = []
        let verdict = r.reached ? terminal.paint("reached", .green) : terminal.paint("NOT reached", .red)
        out.append("\(r.url): \(r.openAtEnd) of \(r.requested) connections open at the end of the hold — \(verdict)")
        if let b = r.broadcast, !b.complete, r.openAtEnd >= r.requested {
            out.append("  (every connection stayed open, but the broadcast reached \(b.delivered) of \(b.expected))")
        }
        out.append(
            String(
                format: "  ramp: %d connected in %.2f s (%.0f handshakes/s) from %d source address(es)",
                r.connected, r.rampSeconds, r.handshakesPerSecond, r.sourceAddresses))
        out.append("  handshake latency: \(r.handshake.text)")
        if r.echoSent > 0 { out.append("  echo round trip: \(r.echo.text) (\(r.echoSent) sent)") }
        if let b = r.broadcast {
            out.append(
                "  broadcast: delivered to \(b.delivered) of \(b.expected) in \(b.rounds) round(s); fan-out latency \(b.latency.text)"
            )
        }
        out.append(String(format: "  hold: %.1f s, peak open %d", r.holdSeconds, r.peakOpen))
        if r.failures.isEmpty {
            out.append("  errors: none")
        } else {
            out.append("  errors by kind:")
            for (kind, count) in r.failures.sorted(by: { $0.value > $1.value }) {
                let meaning = ConnectionFailure.meaning(ofReportKey: kind)
                out.append("    \(kind): \(count) — \(meaning)")
                if let first = r.firstErrors[kind] { out.append("      first: \(first)") }
            }
        }
        return out
    }
}
