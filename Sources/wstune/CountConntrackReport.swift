import Foundation
import SocketDiag

/// Conntrack figures as `count` reports them (JSON, text lines, Prometheus).
struct ConntrackReport: Encodable {
    let loaded: Bool
    let entries: Int?
    let entriesSource: String?
    let max: Int?
    let usage: Double?
    let stats: [String: Int]?
    let tcpByState: [String: Int]?
    let byProtocol: [String: Int]?

    init(_ c: ConntrackSummary) {
        loaded = c.loaded
        entries = c.entries
        entriesSource = c.entriesSource
        max = c.maxEntries
        usage = c.usage
        stats = c.loaded ? c.stats : nil
        tcpByState = c.tcpByState.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.name, $0.value) }) }
        byProtocol = c.byProtocol
    }

    func text(terminal: Terminal) -> String {
        guard loaded else { return "conntrack: not loaded\n" }
        var out = ""
        let pct = usage.map { String(format: " (%.1f%%)", $0 * 100) } ?? ""
        out += "conntrack: \(entries.map(String.init) ?? "?") of \(max.map(String.init) ?? "?") entries\(pct)\n"
        if let s = stats, !s.isEmpty {
            out +=
                "conntrack stats: "
                + s.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ") + "\n"
        }
        if let p = byProtocol, !p.isEmpty {
            out +=
                "conntrack protocols: "
                + p.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ") + "\n"
        }
        if let t = tcpByState {
            let states = ConntrackTCPState.allCases.compactMap { s in t[s.name].map { "\(s.name)=\($0)" } }
            out += "conntrack tcp: " + (states.isEmpty ? "none" : states.joined(separator: " ")) + "\n"
        }
        return out
    }

    func prometheusText() -> String {
        var out = PrometheusText.family(
            "wstune_conntrack_loaded", "gauge", "1 when nf_conntrack is loaded.",
            [("", loaded ? 1 : 0)])
        if let e = entries {
            out += PrometheusText.family("wstune_conntrack_entries", "gauge", "Conntrack entries.", [("", e)])
        }
        if let m = max {
            out += PrometheusText.family("wstune_conntrack_max", "gauge", "net.netfilter.nf_conntrack_max.", [("", m)])
        }
        if let s = stats, !s.isEmpty {
            out += PrometheusText.family(
                "wstune_conntrack_stat_total", "counter",
                "Conntrack statistics counters summed over CPUs.",
                s.sorted { $0.key < $1.key }.map { ("counter=\"\($0.key)\"", $0.value) })
        }
        if let t = tcpByState {
            out += PrometheusText.family(
                "wstune_conntrack_tcp_entries", "gauge", "Conntrack TCP entries by state.",
                ConntrackTCPState.allCases.map { ("state=\"\($0.name)\"", t[$0.name] ?? 0) })
        }
        return out
    }
}
