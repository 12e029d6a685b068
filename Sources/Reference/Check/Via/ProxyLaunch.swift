import Foundation
import Tuning

/// What `check --via` starts in front of the backends, from the check's options.
public struct ProxyLaunch: Sendable {
    public var kind: ProxyKind
    /// The user's config (`--proxy-config`) instead of the one rendered from the profile.
    public var userConfig: String?
    /// RLIMIT_NOFILE of the proxy (`--proxy-nofile`; default: what the tuning gives the proxy's unit).
    public var nofile: Int?
    /// nginx worker_processes / HAProxy nbthread (`--proxy-workers`; default: the renderer's).
    public var workers: Int?
    /// nginx worker_connections or HAProxy maxconn instead of the rendered value (`--proxy-connections`).
    public var connections: Int?
    /// Where the renderer finds its templates.
    public var templateDirectories: [String]

    public init(
        kind: ProxyKind, userConfig: String? = nil, nofile: Int? = nil, workers: Int? = nil, connections: Int? = nil,
        templateDirectories: [String] = []
    ) {
        self.kind = kind
        self.userConfig = userConfig
        self.nofile = nofile
        self.workers = workers
        self.connections = connections
        self.templateDirectories = templateDirectories
    }

    /// The nofile a unit rendered for this profile gives the proxy (`CapacityModel.proxyFiles`),
    /// capped by what this process may set (a hard limit cannot be raised without CAP_SYS_RESOURCE).
    public func effectiveNofile(connections n: Int, hardLimit: Int) -> Int {
        if let nofile { return nofile }
        return min(CapacityModel.proxyFiles(connections: n), hardLimit)
    }

    /// Starts nothing yet: builds the hop (config written and validated); `waitReady` follows `start`.
    public func makeHop(
        profile: Profile?, connections n: Int, backends: [String], hardLimit: Int, tempDirectory: URL, path: String
    ) throws -> ProxyHop {
        let nofile = effectiveNofile(connections: n, hardLimit: hardLimit)
        switch kind {
        case .nginx:
            return try NginxHop(
                profile: profile, backends: backends, nofile: nofile, workers: workers,
                workerConnections: self.connections, userConfig: userConfig,
                templateDirectories: templateDirectories, tempDirectory: tempDirectory, path: path)
        case .haproxy:
            return try HAProxyHop(
                profile: profile, backends: backends, nofile: nofile, threads: workers, maxconn: self.connections,
                userConfig: userConfig, templateDirectories: templateDirectories, tempDirectory: tempDirectory,
                path: path)
        }
    }
}
