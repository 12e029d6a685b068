import HostFacts

/// The most file descriptors a proxy started on this host will really get. A process may raise its hard
/// RLIMIT_NOFILE only with CAP_SYS_RESOURCE (setrlimit(2)); systemd is bound the same way, so in a container or
/// on a host whose service manager lacks the capability a unit's LimitNOFILE= above it is configured but not
/// given. With the capability, the kernel's ceiling is fs.nr_open.
public struct HostFdCeiling: Sendable, Equatable, Codable {
    public var limit: Int
    /// Where the number comes from, in words.
    public var source: String

    public init(limit: Int, source: String) {
        self.limit = limit
        self.source = source
    }

    /// This process's view (the same confinement a proxy started from here, or by this host's service manager,
    /// has); nil when /proc does not say.
    public static func read(root: HostRoot = HostRoot()) throws -> HostFdCeiling? {
        let nrOpen = try Sysctls(root: root).read("fs.nr_open")?.int ?? 1_048_576
        guard let limit = try ProcessLimits.readNofile(root: root)?.resolved(nrOpen: nrOpen) else { return nil }
        if try ProcessLimits.hasSysResource(root: root) == true {
            return HostFdCeiling(
                limit: nrOpen, source: "fs.nr_open (this process has CAP_SYS_RESOURCE and may raise its hard limit)")
        }
        return HostFdCeiling(
            limit: limit.hard,
            source: "this process's hard RLIMIT_NOFILE, which without CAP_SYS_RESOURCE nothing started here can exceed")
    }
}

extension ProxySizing {
    /// The fd limit the config asks for against what this host will really give (`render --check`).
    public func hostChecks(for target: ProxyTarget, siteOnly: Bool, ceiling: HostFdCeiling) -> [SizingCheck] {
        let l = ceiling.limit
        switch target {
        case .nginx where !siteOnly:
            return [
                SizingCheck(
                    id: "nginx.host-nofile", passed: workerRlimitNofile <= l,
                    detail:
                        "worker_rlimit_nofile \(workerRlimitNofile) ≤ \(l), the most this host gives (\(ceiling.source)); above it every worker logs \"setrlimit(RLIMIT_NOFILE, \(workerRlimitNofile)) failed\" and keeps the lower limit"
                )
            ]
        case .haproxy:
            return [
                SizingCheck(
                    id: "haproxy.host-nofile", passed: haproxyFilesNeeded <= l,
                    detail:
                        "HAProxy raises its fd limit to \(haproxyFilesNeeded) at start (maxconn \(haproxyMaxconn) × 2 + \(haproxyFilesNeeded - 2 * haproxyMaxconn)) ≤ \(l), the most this host gives (\(ceiling.source)); above it HAProxy exits with \"Cannot raise FD limit to \(haproxyFilesNeeded), limit is \(l)\""
                )
            ]
        case .systemd:
            return [
                SizingCheck(
                    id: "systemd.host-nofile", passed: serverNofile <= l,
                    detail:
                        "LimitNOFILE \(serverNofile) ≤ \(l), the most this host gives (\(ceiling.source)); above it systemd shows the configured value but the started server gets less"
                )
            ]
        case .nginx:
            return []  // a site alone: the main config's worker_rlimit_nofile is judged by `MainConfigSizing`
        }
    }
}
