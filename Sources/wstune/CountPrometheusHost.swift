import HostFacts
import SocketDiag
import Tuning

/// The host figures `count --prometheus` adds for node_exporter's textfile collector (issue 16): accept-queue
/// overflows and drops, ephemeral ports per backend 4-tuple, and fd usage of named systemd units.
struct PrometheusHostFigures {
    /// A backend the host connects to: its address as sock_diag prints it and its port.
    struct Backend: Equatable {
        var address: String
        var port: UInt16
        var label: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }

        /// "10.0.0.5:8080" or "[::1]:8080".
        init?(_ text: String) {
            var host: Substring
            let portText: Substring
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                host = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard !host.isEmpty, let p = UInt16(portText), p > 0,
                host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" })
            else { return nil }
            if host.hasPrefix("::ffff:") { host = host.dropFirst(7) }
            address = String(host)
            port = p
        }
    }

    var listenOverflows: Int?
    var listenDrops: Int?
    var ephemeralPortsUsable: Int?
    var backends: [(Backend, Int)] = []
    var units: [UnitFdUsage] = []

    static func read(root: HostRoot, units unitNames: [String], backends: [Backend]) throws -> PrometheusHostFigures {
        var f = PrometheusHostFigures()
        let counters = try KernelCounters.read(root: root)
        f.listenOverflows = counters["TcpExt.ListenOverflows"]
        f.listenDrops = counters["TcpExt.ListenDrops"]
        let sysctls = Sysctls(root: root)
        if let range = try sysctls.read("net.ipv4.ip_local_port_range")?.ints {
            let reserved = EphemeralPorts.parseReserved(
                try sysctls.read("net.ipv4.ip_local_reserved_ports")?.text ?? "")
            f.ephemeralPortsUsable = EphemeralPorts.usable(range: range, reserved: reserved)
        }
        for port in Set(backends.map(\.port)).sorted() {
            // Established sockets whose peer port is the backend's, grouped by peer address: one dump per port.
            let q = SocketQuery(ports: [port], remote: true, states: [.established], grouping: .peer)
            let counts = try SocketCounter.count(q)
            for b in backends where b.port == port {
                f.backends.append((b, counts.byPeer.first { $0.key.description == b.address }?.value ?? 0))
            }
        }
        f.units = try unitNames.map { try UnitFdUsage.read(root: root, unit: $0) }
        return f
    }

    func prometheusText() -> String {
        var out = ""
        if let o = listenOverflows {
            out += PrometheusText.family(
                "wstune_tcp_listen_overflows_total", "counter",
                "Times a full accept queue dropped a handshake (TcpExt.ListenOverflows, /proc/net/netstat).", [("", o)])
        }
        if let d = listenDrops {
            out += PrometheusText.family(
                "wstune_tcp_listen_drops_total", "counter",
                "Handshakes dropped at a listening socket, overflows included (TcpExt.ListenDrops).", [("", d)])
        }
        if let u = ephemeralPortsUsable {
            out += PrometheusText.family(
                "wstune_ephemeral_ports_usable", "gauge",
                "Ports of ip_local_port_range minus ip_local_reserved_ports: connections one backend 4-tuple holds per source address.",
                [("", u)])
        }
        out += PrometheusText.family(
            "wstune_backend_connections", "gauge", "Established connections to a backend address and port (sock_diag).",
            backends.map { ("backend=\"\($0.0.label)\"", $0.1) })
        let procs = units.flatMap { u in u.processes.map { (u.unit, $0) } }
        out += PrometheusText.family(
            "wstune_unit_open_fds", "gauge", "Open file descriptors of a process of a systemd unit (/proc/PID/fd).",
            procs.map { ("unit=\"\(PrometheusText.escape($0.0))\",pid=\"\($0.1.pid)\"", $0.1.openFds) })
        out += PrometheusText.family(
            "wstune_unit_fd_limit", "gauge", "Soft RLIMIT_NOFILE of a process of a systemd unit (/proc/PID/limits).",
            procs.compactMap { p in
                p.1.softLimit.map { ("unit=\"\(PrometheusText.escape(p.0))\",pid=\"\(p.1.pid)\"", $0) }
            })
        out += PrometheusText.family(
            "wstune_unit_processes", "gauge", "Processes in the unit's cgroup (0: not running).",
            units.map { ("unit=\"\(PrometheusText.escape($0.unit))\"", $0.processes.count) })
        return out
    }
}

extension PrometheusText {
    /// A label value in the text format: backslash, double quote and newline escaped.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
