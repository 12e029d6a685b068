import Tuning

/// The connections a proxy hop holds, per limit (pure): added to check's prediction, where the smallest binds.
public enum ProxyPrediction {
    /// fds an nginx worker holds besides connections: stdio, the error and access logs, the channel socketpair,
    /// epoll and eventfd.
    public static let nginxWorkerFiles = 10
    /// HAProxy's fds besides 2 per connection: 11 + 3 per thread + 1 per server (src/haproxy.c's maxsock).
    public static func haproxyExtraFiles(threads: Int, servers: Int) -> Int { 11 + 3 * threads + servers }

    public static func limits(_ hop: ProxyHopLimits, ports: EphemeralPortSpace?) -> [CapacityPrediction.Limit] {
        var out: [CapacityPrediction.Limit] = []
        let workers = max(hop.workers, 1)
        switch hop.kind {
        case .nginx:
            // Below 1/16 of worker_connections free nginx logs "worker_connections are not enough, reusing
            // connections" and closes reusable ones (idle keepalive, accepted but still reading a request:
            // src/core/ngx_connection.c, ngx_get_connection → ngx_drain_connections, nginx ≥ 1.19.1). An upgraded
            // WebSocket is not reusable, so a ramp that the render sized with that sixteenth free reaches every
            // slot (measured: 299 clients on 600 slots and one listener, `check --via nginx --proxy-connections
            // 600 --proxy-workers 1`); one sized without it loses the clients caught mid-handshake.
            if let wc = hop.workerConnections {
                let usable = max(wc - hop.listeners, 0)
                out.append(
                    .init(
                        id: LimitFinding.ID.proxyWorkerConnections, connections: workers * (usable / 2),
                        detail:
                            "nginx: \(workers) worker(s) × (worker_connections \(wc) − \(hop.listeners) listener(s)) / 2 "
                            + "per proxied WebSocket"))
            }
            // Idle upstream keepalive connections exist only after plain HTTP requests: none in a WebSocket ramp.
            let files = max(hop.nofile - nginxWorkerFiles - hop.listeners, 0)
            out.append(
                .init(
                    id: LimitFinding.ID.proxyNofile, connections: workers * (files / 2),
                    detail:
                        "nginx: \(workers) worker(s) × (nofile \(hop.nofile) − \(nginxWorkerFiles + hop.listeners) "
                        + "own files) / 2 per proxied WebSocket"))
        case .haproxy:
            if let maxconn = hop.maxconn {
                out.append(
                    .init(
                        id: LimitFinding.ID.proxyMaxconn, connections: maxconn,
                        detail: "HAProxy global maxconn \(maxconn)"))
            }
            let extra = haproxyExtraFiles(threads: workers, servers: hop.backends.count)
            out.append(
                .init(
                    id: LimitFinding.ID.proxyNofile, connections: max(hop.nofile - extra, 0) / 2,
                    detail: "HAProxy: (nofile \(hop.nofile) − \(extra) own files) / 2 per proxied WebSocket"))
        }
        if let ports, ports.high >= ports.low {
            let sources = max(hop.sourceAddresses.count, 1)
            let backends = max(hop.backends.count, 1)
            out.append(
                .init(
                    id: LimitFinding.ID.proxyUpstreamPorts, connections: ports.perTuple * sources * backends,
                    detail:
                        "\(ports.perTuple) ports in ip_local_port_range \(ports.low)-\(ports.high)"
                        + (ports.heldText.map { " (\($0))" } ?? "")
                        + " × \(sources) proxy source address(es) × \(backends) backend address(es)"))
        }
        return out
    }
}
