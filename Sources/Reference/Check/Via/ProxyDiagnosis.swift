/// Names the proxy limit that stopped a check through a proxy, from what the proxy itself said (pure).
/// Its findings come before LimitDiagnosis's: a proxy's own log line is the most specific proof there is.
public enum ProxyDiagnosis {
    public static func diagnose(
        _ e: ProxyEvidence, limits: ProxyHopLimits, exited: Bool, reached: Bool
    ) -> [LimitFinding] {
        var found: [LimitFinding] = []
        let name = limits.kind == .nginx ? "nginx" : "HAProxy"
        func line(_ kind: ProxyEvidence.ErrorKind, _ what: String) -> String {
            var text = "\(e.count(kind)) × \(what) in \(name)'s log"
            if let first = e.firstErrors[kind.rawValue] { text += " (first: \(first))" }
            return text
        }
        func add(_ id: String, _ title: String, _ evidence: [String], binds: Bool = true) {
            let first = !reached && binds && !found.contains(where: \.binding)
            found.append(LimitFinding(id: id, title: title, evidence: evidence, binding: first))
        }
        if exited {
            add(LimitFinding.ID.proxyExited, "the proxy (\(name)) exited during the run", ["its master process ended"])
        }
        if e.count(.workerConnections) > 0 {
            var ev = [line(.workerConnections, "\"worker_connections are not enough\"")]
            if let wc = limits.workerConnections {
                ev.append("worker_connections \(wc) × \(limits.workers) worker(s); each proxied client costs two")
            }
            add(LimitFinding.ID.proxyWorkerConnections, "\(name)'s worker_connections", ev)
        }
        let fdsFull = e.maxFdsPerProcess.map { $0 >= limits.nofile - 8 } ?? false
        if e.count(.tooManyOpenFiles) > 0 || fdsFull {
            var ev: [String] = []
            if e.count(.tooManyOpenFiles) > 0 { ev.append(line(.tooManyOpenFiles, "EMFILE")) }
            if let fds = e.maxFdsPerProcess {
                ev.append("a \(name) process held \(fds) open fds of its nofile limit \(limits.nofile)")
            }
            add(LimitFinding.ID.proxyNofile, "\(name)'s file-descriptor limit (RLIMIT_NOFILE \(limits.nofile))", ev)
        }
        if e.count(.upstreamAddressNotAvailable) > 0 {
            add(
                LimitFinding.ID.proxyUpstreamPorts,
                "ephemeral ports from \(name) to the backends (EADDRNOTAVAIL)",
                [
                    line(.upstreamAddressNotAvailable, "connect() to a backend failing with EADDRNOTAVAIL"),
                    "\(limits.backends.count) backend address(es), \(max(limits.sourceAddresses.count, 1)) source address(es)",
                ])
        }
        if e.count(.maxconnReached) > 0 {
            var ev = [e.firstErrors[ProxyEvidence.ErrorKind.maxconnReached.rawValue] ?? "maxconn reached"]
            if let m = limits.maxconn { ev.append("maxconn \(m)") }
            add(LimitFinding.ID.proxyMaxconn, "\(name)'s maxconn", ev)
        }
        if e.count(.upstreamRefused) > 0 {
            // The backend refused or reset: its own limit binds (the check's server findings say which).
            add(
                LimitFinding.ID.serverDown, "backends refused or reset \(name)'s connections",
                [line(.upstreamRefused, "upstream connect refused or reset")], binds: false)
        }
        return found
    }

    /// Limits of the backends that the proxy only suffers: a backend at its fd limit stops accepting, the proxy's
    /// pending upstream connects pile up and fill its worker_connections too, so the backend's finding binds.
    static let backendLimits: Set<String> = [
        LimitFinding.ID.serverNofile, LimitFinding.ID.serverExited, LimitFinding.ID.serverConnectionCap,
    ]

    /// The proxy's findings first, then the check's; on a short run exactly one binds: a backend limit the check
    /// proved, else the proxy's first, else the check's.
    public static func merge(proxy: [LimitFinding], check: [LimitFinding], reached: Bool) -> [LimitFinding] {
        func unbound(_ list: [LimitFinding]) -> [LimitFinding] {
            list.map {
                var f = $0; f.binding = false; return f
            }
        }
        if let b = check.first(where: \.binding), backendLimits.contains(b.id) { return check + unbound(proxy) }
        guard proxy.contains(where: \.binding) else { return proxy + check }
        return proxy + unbound(check)
    }
}
