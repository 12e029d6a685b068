import Foundation
import SocketDiag

/// One frame of `top`, rendered three ways: screen lines (TTY), one text line, one JSON object.
struct TopView {
    let query: SocketQuery
    let sample: LiveSample
    let delta: LiveDelta?
    let source: LiveSource

    /// States whose growth is worth a colour: half-open floods, sockets the application forgot to close, churn.
    static let watchedStates: [TCPState] = [.synRecv, .timeWait, .closeWait]

    var established: Int { sample.sockets.established }

    /// Ports to show established counts for: the filter's ports, or the busiest local ports.
    var portRows: [(UInt16, Int)] {
        if !query.ports.isEmpty { return query.ports.map { ($0, sample.sockets.establishedByPort[$0] ?? 0) } }
        // The 8 busiest, by one pass (a client host has one local port per connection: no full sort).
        var top: [(UInt16, Int)] = []
        for (port, n) in sample.sockets.establishedByPort {
            let i = top.firstIndex { $0.1 < n || ($0.1 == n && $0.0 > port) } ?? top.count
            if i < 8 { top.insert((port, n), at: i) }
            if top.count > 8 { top.removeLast() }
        }
        return top
    }

    static func clock() -> String {
        var t = time(nil)
        var tmv = tm()
        localtime_r(&t, &tmv)
        return String(format: "%02d:%02d:%02d", tmv.tm_hour, tmv.tm_min, tmv.tm_sec)
    }

    func rate(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "-" }
    func signed(_ v: Int?) -> String { v.map { $0 > 0 ? "+\($0)" : "\($0)" } ?? "-" }

    func screenLines(terminal: Terminal, width: Int) -> [String] {
        var lines: [String] = []
        let filterText =
            query.ports.isEmpty
            ? "all ports"
            : "port \(query.ports.map(String.init).joined(separator: ",")) (\(query.remote ? "remote" : "local"))"
        lines.append(terminal.paint("wstune top", .bold) + "  \(filterText)  \(TopView.clock())  q quits")
        var sourceLine = source.description
        if let age = source.counter?.miniStatesAgeSeconds, age >= 1 {
            sourceLine += String(format: "; syn-recv, fin-wait-2, time-wait as of %.0f s ago", age)
        }
        lines.append(source.fallbackReason == nil ? sourceLine : terminal.paint(sourceLine, .yellow))
        lines.append("")
        lines.append(
            terminal.paint("ESTABLISHED", .bold) + " \(established)   opened/s \(rate(delta?.openedPerSecond))"
                + "   closed/s \(rate(delta?.closedPerSecond))")
        for (port, n) in portRows {
            lines.append("  port \(String(port).padding(toLength: 6, withPad: " ", startingAt: 0)) \(n)")
        }
        lines.append("")
        lines.append(terminal.paint("STATES", .bold))
        let maxCount = max(1, sample.sockets.byState.values.max() ?? 1)
        let barWidth = max(10, min(40, width - 40))
        for s in TCPState.allCases {
            let n = sample.sockets.byState[s] ?? 0
            let change = delta?.stateChange[s]
            let bar = String(repeating: "#", count: n == 0 ? 0 : max(1, n * barWidth / maxCount))
            var row =
                "  " + s.name.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(n).leftPadded(8) + " " + (change.map { $0 == 0 ? "" : signed($0) } ?? "").leftPadded(7) + " "
                + bar
            if TopView.watchedStates.contains(s), let c = change, c > 0 { row = terminal.paint(row, .red) }
            lines.append(row)
        }
        lines.append("")
        let q = sample.sockets.queue
        let qLine =
            source.counter != nil
            ? "QUEUES  not sampled (source bpf: queue sizes need a full dump; --source netlink shows them)"
            : "QUEUES  unread > \(q.thresholdBytes) B: \(q.receiveQueueOver)   unsent > \(q.thresholdBytes) B: "
                + "\(q.sendQueueOver)   largest unread \(q.largestReceiveQueueBytes) B   "
                + "largest unsent \(q.largestSendQueueBytes) B"
        lines.append(q.sendQueueOver + q.receiveQueueOver > 0 ? terminal.paint(qLine, .yellow) : qLine)
        lines.append(conntrackText())
        lines.append(filesText())
        let listen = "LISTEN  overflows \(signed(delta?.listenOverflows))   drops \(signed(delta?.listenDrops))"
        lines.append(
            (delta?.listenOverflows ?? 0) + (delta?.listenDrops ?? 0) > 0 ? terminal.paint(listen, .red) : listen)
        return lines.map { String($0.prefix(width + 16)) }
    }

    func conntrackText() -> String {
        let c = sample.conntrack
        guard c.loaded else { return "CONNTRACK  not loaded" }
        let usage = c.usage.map { String(format: " (%.1f%%)", $0 * 100) } ?? ""
        let stats = ["drop", "early_drop", "insert_failed"].map { "\($0) \(c.stats[$0].map(String.init) ?? "-")" }
        return "CONNTRACK  \(c.entries.map(String.init) ?? "?") / \(c.maxEntries.map(String.init) ?? "?")\(usage)   "
            + stats.joined(separator: "   ")
    }

    func filesText() -> String {
        let h = sample.host
        var usage = ""
        if let o = h.openFiles, let m = h.fileMax, m > 0 {
            usage = String(format: " (%.1f%%)", Double(o) * 100 / Double(m))
        }
        return "FILES  \(h.openFiles.map(String.init) ?? "?") / \(h.fileMax.map(String.init) ?? "?")\(usage)"
    }

    /// One line per interval (not a terminal).
    func line() -> String {
        let s = sample.sockets
        var parts = ["time=\(TopView.clock())", "source=\(source.name.rawValue)", "established=\(established)"]
        for (port, n) in portRows where !query.ports.isEmpty { parts.append("port\(port)=\(n)") }
        parts.append("opened/s=\(rate(delta?.openedPerSecond))")
        parts.append("closed/s=\(rate(delta?.closedPerSecond))")
        for st in TopView.watchedStates { parts.append("\(st.name)=\(s.byState[st] ?? 0)") }
        if source.counter == nil {
            parts.append("unread_over=\(s.queue.receiveQueueOver)")
            parts.append("unsent_over=\(s.queue.sendQueueOver)")
        }
        let c = sample.conntrack
        parts.append(
            c.loaded
                ? "conntrack=\(c.entries.map(String.init) ?? "?")/\(c.maxEntries.map(String.init) ?? "?")"
                : "conntrack=not-loaded")
        parts.append(
            "files=\(sample.host.openFiles.map(String.init) ?? "?")/\(sample.host.fileMax.map(String.init) ?? "?")")
        parts.append("listen_overflows=\(signed(delta?.listenOverflows))")
        parts.append("listen_drops=\(signed(delta?.listenDrops))")
        return parts.joined(separator: " ")
    }

    struct PortRow: Encodable {
        let key: String
        let port: Int
        let sockets: Int
    }

    struct JSONFrame: Encodable {
        var schemaVersion = 2
        /// Wall-clock time of the sample, RFC 3339 UTC with milliseconds, and as Unix seconds.
        let timestamp: String
        let unixTimeSeconds: Double
        /// "bpf" or "netlink"; with netlink after a failed BPF load, the reason.
        let source: String
        let sourceReason: String?
        let bpfProgramId: UInt32?
        /// With source bpf: age of the SYN-RECV / FIN-WAIT-2 / TIME-WAIT figures (a rate-limited dump).
        let miniStatesAgeSeconds: Double?
        let established: Int
        /// One shape with `count --json`: [{key, port, sockets}].
        let establishedByPort: [PortRow]
        let openedPerSecond: Double?
        let closedPerSecond: Double?
        let intervalSeconds: Double?
        let states: [String: Int]
        let stateChange: [String: Int]?
        /// nil with source bpf (not sampled).
        let queue: QueuePressure?
        let conntrackLoaded: Bool
        let conntrackEntries: Int?
        let conntrackMax: Int?
        let openFiles: Int?
        let fileMax: Int?
        let listenOverflows: Int?
        let listenDrops: Int?
    }

    func jsonObject(at now: Date = Date()) -> JSONFrame {
        let stamp = ISO8601DateFormatter()
        stamp.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        stamp.timeZone = TimeZone(identifier: "UTC")
        return JSONFrame(
            timestamp: stamp.string(from: now), unixTimeSeconds: (now.timeIntervalSince1970 * 1000).rounded() / 1000,
            source: source.name.rawValue, sourceReason: source.fallbackReason,
            bpfProgramId: source.counter?.programID,
            miniStatesAgeSeconds: source.counter.map { ($0.miniStatesAgeSeconds * 1000).rounded() / 1000 },
            established: established,
            establishedByPort: portRows.map { PortRow(key: String($0.0), port: Int($0.0), sockets: $0.1) },
            openedPerSecond: delta?.openedPerSecond, closedPerSecond: delta?.closedPerSecond,
            intervalSeconds: delta?.intervalSeconds,
            states: Dictionary(uniqueKeysWithValues: sample.sockets.byState.map { ($0.key.name, $0.value) }),
            stateChange: delta.map { d in
                Dictionary(uniqueKeysWithValues: d.stateChange.map { ($0.key.name, $0.value) })
            },
            queue: source.counter == nil ? sample.sockets.queue : nil, conntrackLoaded: sample.conntrack.loaded,
            conntrackEntries: sample.conntrack.entries, conntrackMax: sample.conntrack.maxEntries,
            openFiles: sample.host.openFiles, fileMax: sample.host.fileMax,
            listenOverflows: delta?.listenOverflows, listenDrops: delta?.listenDrops)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
