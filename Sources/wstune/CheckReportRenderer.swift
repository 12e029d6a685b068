import Foundation
import Reference

/// Text rendering of a check report.
struct CheckReportRenderer {
    let terminal: Terminal

    func lines(_ r: CheckReport) -> [String] {
        var out: [String] = []
        let verdict =
            r.reached
            ? terminal.paint("REACHED", .green) : terminal.paint("NOT REACHED", .red)
        out.append("check: \(grouped(r.openAtEnd)) of \(grouped(r.requested)) connections held — \(verdict)")
        if let limit = r.limit {
            out.append("  stopped by: " + terminal.paint(limit.title, .bold) + " [\(limit.id)]")
            for e in limit.evidence { out.append("    - \(e)") }
        }
        for f in r.findings where !f.binding && f.id != r.limit?.id {
            out.append("  also seen: \(f.title) [\(f.id)]")
            for e in f.evidence { out.append("    - \(e)") }
        }
        if let p = r.prediction.binding {
            out.append(
                "  predicted: \(grouped(p.connections)) (bound by \(p.id): \(p.detail)); reached \(grouped(r.openAtEnd))"
                    + Self.percent(r.openAtEnd, of: p.connections))
        }
        if let v = r.via {
            let l = v.limits
            var sizing = "\(l.workers) worker(s), nofile \(l.nofile)"
            if let wc = l.workerConnections { sizing += ", worker_connections \(wc)" }
            if let m = l.maxconn { sizing += ", maxconn \(m)" }
            out.append(
                "  via \(v.kind.rawValue) at \(v.listen): \(sizing), backends \(l.backends.joined(separator: " "))")
            for p in v.prediction.sorted(by: { $0.connections < $1.connections }) {
                out.append("    \(p.id): \(grouped(p.connections)) (\(p.detail))")
            }
            let counts = v.evidence.errorCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            if !counts.isEmpty { out.append("    \(v.kind.rawValue) reported: \(counts.joined(separator: ", "))") }
            if let fds = v.evidence.maxFdsPerProcess { out.append("    most fds in one proxy process: \(fds)") }
        }
        out.append(
            "  servers: \(r.plan.serverProcesses) process(es), nofile \(r.plan.serverNofile); load workers: \(r.plan.workers.count); target \(r.target)"
        )
        if let reason = r.plan.reason { out.append("    (\(reason))") }
        out.append(
            String(
                format: "  ramp: %@ handshakes in %.1f s (%.0f/s); latency %@", grouped(r.load.connected),
                r.rampSeconds, r.handshakesPerSecond, r.load.handshake.text))
        if let ramp = r.ramp { out += rampLines(ramp) }
        if let b = r.load.broadcast, b.expected > 0 {
            out.append(
                "  broadcast: delivered to \(grouped(b.delivered)) of \(grouped(b.expected)) (\(b.rounds) round(s)); fan-out \(b.latency.text)"
            )
        }
        var mem = "  bytes per connection:"
        if let u = r.memory.userBytesPerConnection { mem += " server user \(grouped(u))" }
        if let k = r.memory.kernelBytesPerConnection { mem += ", kernel \(grouped(k)) (slab, both loopback ends)" }
        if let d = r.memory.deflateBytesPerConnection {
            mem += ", permessage-deflate \(grouped(d)) (zlib state with context takeover, once a client compresses)"
        }
        if let b = r.memory.budgetBytes {
            mem += "; budget \(grouped(b))"
            if let ok = r.memory.withinBudget { mem += ok ? " — within" : " — " + terminal.paint("over", .yellow) }
        }
        out.append(mem)
        if !r.failures.isEmpty {
            out.append(
                "  errors by kind: "
                    + r.failures.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        let keys = [
            "TcpExt.ListenOverflows", "TcpExt.ListenDrops", "conntrack.drops", "sockstat.TCP.inuse",
            "softnet.dropped", "fs.file-nr.allocated", "server.fds",
        ]
        let deltas = keys.compactMap { k in r.counterDeltas[k].map { "\(k) \($0 >= 0 ? "+" : "")\($0)" } }
        if !deltas.isEmpty { out.append("  counter deltas: " + deltas.joined(separator: ", ")) }
        for e in r.serverErrors { out.append("  " + e) }
        return out
    }

    /// The sustainable rate with its latency, how the rate was chosen, and the bottleneck.
    func rampLines(_ ramp: RampSummary) -> [String] {
        let target = LatencySummary.format(ramp.p50TargetMicros)
        let how: String
        switch ramp.mode {
        case .closedLoop:
            let cuts = ramp.backoffs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            how =
                "closed loop up to \(grouped(Int(ramp.ceilingPerSecond)))/s"
                + (cuts.isEmpty ? ", no back-off" : ", backed off \(cuts)")
        case .fixed: how = "fixed at \(grouped(Int(ramp.ceilingPerSecond)))/s (open loop)"
        case .unpaced: how = "unpaced (open loop)"
        }
        var out: [String] = []
        if let rate = ramp.sustainablePerSecond, let p50 = ramp.p50AtSustainableMicros {
            out.append(
                "  sustainable: \(grouped(Int(rate.rounded())))/s handshakes with p50 \(LatencySummary.format(p50)), "
                    + "p99 \(LatencySummary.format(ramp.p99AtSustainableMicros ?? 0)) (\(how))")
        } else {
            out.append("  sustainable: " + terminal.paint("no rate held p50 under \(target)", .yellow) + " (\(how))")
        }
        out.append("  bottleneck: \(ramp.bottleneck.statement)")
        return out
    }

    func grouped(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }

    /// " (97 % of predicted)", or "" when nothing was predicted.
    static func percent(_ reached: Int, of predicted: Int) -> String {
        guard predicted > 0 else { return "" }
        return " (\(Int((Double(reached) / Double(predicted) * 100).rounded())) % of predicted)"
    }
}
