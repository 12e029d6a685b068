import Tuning

/// Names the limit that stopped a check, from error kinds and counter deltas. Pure: tests feed it evidence.
/// Rules run from the most specific proof to the vaguest; the first that fires on a run that fell short binds.
public enum LimitDiagnosis {
    public static func diagnose(_ e: CheckEvidence) -> [LimitFinding] {
        var found: [LimitFinding] = []
        let short = !e.reached
        func add(_ id: String, _ title: String, _ evidence: [String], binds: Bool = true) {
            // One limit binds: the first that can, so `findings.first(where: \.binding)` and the rule order agree.
            let first = short && binds && !found.contains(where: \.binding)
            found.append(LimitFinding(id: id, title: title, evidence: evidence, binding: first))
        }
        func errorLine(_ kind: ConnectionFailure) -> String { errorLine(key: kind.rawValue) }
        func errorLine(key: String) -> String {
            var line = "\(e.failures[key] ?? 0) × \(key) in the load client"
            if let first = e.firstErrors[key] { line += " (first: \(first))" }
            return line
        }
        let timeouts = e.failures(.handshakeTimeout) + e.failures(.connectTimeout)

        if e.end.serverProcessesAlive < e.serverProcesses && e.serverProcesses > 0 {
            add(
                LimitFinding.ID.serverExited, "a server process exited during the run",
                ["\(e.end.serverProcessesAlive) of \(e.serverProcesses) server processes alive at the end"])
        }
        if let nofile = e.serverNofile, nofile > 0, e.peak.maxServerFdsPerProcess >= nofile - 8 {
            var ev = [
                "a server process held \(e.peak.maxServerFdsPerProcess) open fds of its nofile limit \(nofile)",
                "server connections at the peak ≈ \(e.peak.clientOpen) across \(e.serverProcesses) process(es)",
            ]
            if timeouts > 0 { ev.append("\(timeouts) handshakes timed out waiting for accept()") }
            if e.failures(.http503) > 0 { ev.append(errorLine(.http503)) }
            add(LimitFinding.ID.serverNofile, "the server's file-descriptor limit (RLIMIT_NOFILE \(nofile))", ev)
        }
        if e.failures(.eaddrnotavail) > 0 {
            var ev = [errorLine(.eaddrnotavail)]
            if let r = e.portRange {
                ev.append("net.ipv4.ip_local_port_range = \(r), \(e.sourceAddresses) source address(es)")
            }
            add(LimitFinding.ID.clientEphemeralPorts, "ephemeral ports on the client side (EADDRNOTAVAIL)", ev)
        }
        if e.failures(.emfile) > 0 {
            add(LimitFinding.ID.clientNofile, "the load client's file-descriptor limit (EMFILE)", [errorLine(.emfile)])
        }
        let overflows = delta(e.baseline.listenOverflows, e.end.listenOverflows)
        let drops = delta(e.baseline.listenDrops, e.end.listenDrops)
        if overflows > 0 || drops > 0 {
            var ev = ["TcpExt.ListenOverflows +\(overflows), TcpExt.ListenDrops +\(drops) during the run"]
            if let s = e.somaxconn { ev.append("net.core.somaxconn = \(s) caps every listen backlog") }
            if timeouts > 0 { ev.append("\(timeouts) handshakes timed out (SYNs dropped, clients retried)") }
            add(SomaxconnCheck.id, "the listen queue overflowed (accept backlog, net.core.somaxconn)", ev)
        }
        let backlogDrops = delta(e.baseline.softnetDrops, e.end.softnetDrops)
        if backlogDrops > 0 {
            add(
                NetdevBacklogCheck.id,
                "packets dropped at a full CPU input backlog (net.core.netdev_max_backlog)",
                ["/proc/net/softnet_stat dropped +\(backlogDrops) during the run (each drop costs a retransmit)"],
                binds: false)
        }
        let ctDrops = delta(e.baseline.conntrackDrops, e.end.conntrackDrops)
        if ctDrops > 0 {
            add(
                ConntrackMaxCheck.id, "the conntrack table dropped connections (nf_conntrack_max)",
                [
                    "conntrack drop + early_drop + insert_failed +\(ctDrops)",
                    "nf_conntrack_count \(e.peak.conntrackCount ?? 0) at the peak",
                ])
        }
        if let alloc = e.peak.filesAllocated, let max = e.peak.fileMax, max > 0, Double(alloc) >= Double(max) * 0.98 {
            add(FileMaxCheck.id, "the system-wide file limit (fs.file-max)", ["fs.file-nr \(alloc) of \(max)"])
        }
        if e.failures(.enobufs) > 0 || (e.tcpMemPagesMax.map { ($0 > 0) && (e.peak.tcpMemPages ?? 0) >= $0 } ?? false) {
            var ev: [String] = []
            if e.failures(.enobufs) > 0 { ev.append(errorLine(.enobufs)) }
            if let p = e.peak.tcpMemPages, let m = e.tcpMemPagesMax {
                ev.append("sockstat TCP mem \(p) pages, tcp_mem max \(m)")
            }
            add(TcpMemCheck.id, "TCP memory (net.ipv4.tcp_mem)", ev)
        }
        if e.failures(.http503) > 0 && !found.contains(where: { $0.id == LimitFinding.ID.serverNofile }) {
            add(
                LimitFinding.ID.serverConnectionCap,
                "the server refused handshakes with 503 (connection cap or draining)",
                [errorLine(.http503)])
        }
        if e.failures(.http403) > 0 {
            add(LimitFinding.ID.serverOrigin, "the server refused the origin (403)", [errorLine(.http403)])
        }
        if e.failures(.econnrefused) > 0 {
            add(
                LimitFinding.ID.serverDown, "connections refused: nothing listening on the port",
                [errorLine(.econnrefused)])
        }
        let statuses = e.otherHTTPStatuses
        if !statuses.isEmpty {
            let names = statuses.map { "HTTP \($0.status)" }.joined(separator: ", ")
            add(
                "server.http-status", "the server answered upgrades with \(names) instead of 101",
                statuses.map { errorLine(key: "HTTP-\($0.status)") })
        }
        if e.failures(.protocolError) > 0 {
            add(
                "server.protocol-error", "the server broke the WebSocket protocol (RFC 6455)",
                [errorLine(.protocolError)])
        }
        if let b = e.broadcast, !b.complete {
            var ev = ["the broadcast reached \(b.delivered) of \(b.expected) open clients in \(b.rounds) round(s)"]
            if let first = e.firstErrors[ConnectionFailure.broadcastUndelivered.rawValue] { ev.append(first) }
            add("server.broadcast-undelivered", "the broadcast did not reach every client", ev)
        }
        if timeouts > 0 && !found.contains(where: { $0.binding || !short }) {
            add(
                LimitFinding.ID.serverSaturated,
                "handshakes timed out with no limit counter moving (server CPU or accept loop)",
                [errorLine(.handshakeTimeout), errorLine(.connectTimeout)])
        }
        if e.failures(.closedByPeer) > 0 {
            add(
                LimitFinding.ID.serverClosedConnections, "the server closed connections", [errorLine(.closedByPeer)],
                binds: found.isEmpty)
        }
        if short && !found.contains(where: \.binding) {
            var ev = ["\(e.openAtEnd) of \(e.requested) open at the end"]
            for (k, v) in e.failures.sorted(by: { $0.value > $1.value }) { ev.append("\(v) × \(k)") }
            add(LimitFinding.ID.unknown, "the target was not reached and no known limit shows in the counters", ev)
        }
        return found
    }

    static func delta(_ a: Int?, _ b: Int?) -> Int {
        guard let a, let b else { return 0 }
        return max(b - a, 0)
    }
}
