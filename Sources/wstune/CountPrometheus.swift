import SocketDiag

extension CountReport {
    /// node_exporter textfile-collector format (text exposition 0.0.4): HELP and TYPE once per metric family.
    func prometheusText() -> String {
        var out = ""
        let portsLabel = filter.ports.isEmpty ? "any" : filter.ports.map(String.init).joined(separator: ",")
        let base = "ports=\"\(portsLabel)\",side=\"\(filter.side)\""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, Any)]) {
            out += PrometheusText.family(name, type, help, samples)
        }
        family(
            "wstune_sockets", "gauge", "TCP sockets matching the filter, by state (sock_diag).",
            TCPState.allCases.compactMap { s in byState[s.name].map { ("\(base),state=\"\(s.name)\"", $0) } })
        if let e = establishedByPort {
            family(
                "wstune_sockets_established_by_port", "gauge", "Established TCP sockets per filter port.",
                e.sorted { ($0.port ?? 0) < ($1.port ?? 0) }.map {
                    ("port=\"\($0.key)\",side=\"\(filter.side)\"", $0.sockets)
                })
        }
        family(
            "wstune_socket_queue_over_threshold", "gauge",
            "Established sockets whose queue holds more than threshold_bytes (slow consumers).",
            [
                ("\(base),queue=\"receive\",threshold_bytes=\"\(queue.thresholdBytes)\"", queue.receiveQueueOver),
                ("\(base),queue=\"send\",threshold_bytes=\"\(queue.thresholdBytes)\"", queue.sendQueueOver),
            ])
        family(
            "wstune_socket_queue_largest_bytes", "gauge", "Largest queue among established sockets.",
            [
                ("\(base),queue=\"receive\"", queue.largestReceiveQueueBytes),
                ("\(base),queue=\"send\"", queue.largestSendQueueBytes),
            ])
        if let c = conntrack { out += c.prometheusText() }
        return out
    }
}

/// The text exposition format's pieces (HELP and TYPE once per family, then samples).
enum PrometheusText {
    static func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, Any)]) -> String {
        guard !samples.isEmpty else { return "" }
        var out = "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (labels, value) in samples { out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(value)\n" }
        return out
    }
}
