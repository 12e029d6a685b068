import Tuning

/// The variables templates may use. Every number comes from `ProxySizing` (profile + options); the README's
/// "Rendered configs" table documents each name.
enum TemplateContext {
    static let upstreamName = "wstune_backends"

    static func build(profile: Profile, options: RenderOptions, sizing s: ProxySizing) -> [String: Any] {
        let backends = options.backends.isEmpty ? [defaultBackend(profile: profile)] : options.backends
        let listen = listenAddress(profile: profile, options: options)
        var backendList: [[String: Any]] = []
        for (i, b) in backends.enumerated() {
            backendList.append([
                "name": "ws\(i + 1)",
                "address": b.description,
                "haproxy_address": "\(b.host ?? "127.0.0.1"):\(b.port)",
            ])
        }
        return [
            "profile_name": profile.name,
            "connections": s.connections,
            "proxied_connections": 2 * s.connections,
            "ping_interval_seconds": s.pingIntervalSeconds,
            "proxy_nofile": s.proxyNofile,
            // nginx main context
            "worker_processes": s.workerProcesses,
            "worker_connections": s.workerConnections,
            "worker_rlimit_nofile": s.workerRlimitNofile,
            "drain_seconds": s.drainSeconds,
            "pid_file": options.nginxPaths.pidFile,
            "error_log": options.nginxPaths.errorLog,
            "access_log": options.nginxPaths.accessLog,
            "temp_dir": options.nginxPaths.tempDirectory,
            // site
            "upstream_name": upstreamName,
            "balance_directive": options.balance.nginxDirective,
            "backends": backendList,
            "upstream_keepalive": s.upstreamKeepalive,
            "listen": listen.description,
            "reuseport": !options.siteOnly && s.workerProcesses > 1,
            "server_name": options.serverName,
            "ws_path": options.path,
            "path_is_root": options.path == "/",
            "tls": options.usesTLS,
            "tls_cert": options.tlsCertificate ?? "",
            "tls_key": options.tlsKey ?? "",
            "idle_timeout_seconds": s.idleTimeoutSeconds,
            "connect_timeout_seconds": ProxySizing.connectTimeoutSeconds,
            // HAProxy
            "maxconn": s.haproxyMaxconn,
            "haproxy_threads": s.haproxyThreads,
            "haproxy_files_needed": s.haproxyFilesNeeded,
            "haproxy_bind": listen.host.map { "\($0):\(listen.port)" } ?? ":\(listen.port)",
            "handshake_timeout_seconds": ProxySizing.handshakeTimeoutSeconds,
            "balance_lines": options.balance.haproxyLines.map { ["line": $0] as [String: Any] },
            "health_host": options.serverName == "_" ? "localhost" : options.serverName,
            // systemd
            "unit_name": options.unitName,
            "exec": options.exec,
            "limit_nofile": s.serverNofile,
            "restart_seconds": ProxySizing.restartSeconds,
            "stop_timeout_seconds": s.stopTimeoutSeconds,
        ]
    }

    /// The proxy's port: `--listen`, else a proxy profile's listen port (443 with TLS when listed), else 80/443.
    /// A profile without a proxy lists its WebSocket server's ports: those are the backend's, not the proxy's.
    static func listenAddress(profile: Profile, options: RenderOptions) -> HostPort {
        if let l = options.listen { return l }
        let ports = profile.proxy.value ? profile.listenPorts.value : []
        if options.usesTLS { return HostPort(host: nil, port: ports.contains(443) ? 443 : (ports.first ?? 443)) }
        return HostPort(host: nil, port: ports.first { $0 != 443 } ?? 80)
    }

    /// The backend when no `--backend` is given: 127.0.0.1 on the server port of a profile without a proxy, else 8080.
    static func defaultBackend(profile: Profile) -> HostPort {
        HostPort(host: "127.0.0.1", port: profile.proxy.value ? 8080 : (profile.listenPorts.value.first ?? 8080))
    }

    /// The port a systemd instance is checked with: `--listen`, else the backend server's port.
    static func instancePort(profile: Profile, options: RenderOptions) -> Int {
        options.listen?.port ?? defaultBackend(profile: profile).port
    }
}
