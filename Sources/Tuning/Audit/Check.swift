import HostFacts

/// What the host is judged against: the resolved profile and the needs the capacity model derived from it.
public struct Requirement: Sendable {
    public var profile: Profile
    public var needs: Needs
    /// Ports the service listens on: the profile's plus the host's current listeners.
    public var listenPorts: [Int]

    public init(profile: Profile, host: HostSnapshot) {
        self.profile = profile
        let minBuf = (host.ints("net.ipv4.tcp_rmem")?.first ?? 4096).addingSaturated(
            host.ints("net.ipv4.tcp_wmem")?.first ?? 4096)
        needs = CapacityModel.needs(for: profile, minBufferBytes: minBuf, pageSize: host.memory?.pageSize ?? 4096)
        listenPorts = Array(Set(profile.listenPorts.value + host.listenPorts)).sorted()
    }

    /// The nofile the audited process needs: the proxy's when a proxy fronts backends, else the server's.
    public var targetNofile: Int { needs.proxyNofile ?? needs.serverNofile }

    /// Whether conntrack sizing applies: the profile says on, or auto and the kernel is tracking connections here
    /// (module loaded and entries in the table: a loaded module that no ruleset uses tracks nothing).
    public func conntrackApplies(_ host: HostSnapshot) -> Bool {
        switch profile.conntrack.value {
        case .on: return true
        case .off: return false
        case .auto: return host.conntrack.loaded && (host.int("net.netfilter.nf_conntrack_count") ?? 0) > 0
        }
    }
}

/// One concern of the audit, like a SwiftLint rule: a stable id, a title, a rationale with its source, and a pure
/// evaluation over host facts. Adding a check = one file + one line in `CheckRegistry.all`.
public protocol Check: Sendable {
    var id: String { get }
    var title: String { get }
    /// Why the check exists and where the fact comes from (shown with `--explain` and in the README).
    var rationale: String { get }
    func evaluate(_ host: HostSnapshot, _ requirement: Requirement) -> Finding
    /// The typed side of the finding (observed number, source, requirement, unit) for `--json`; none by default.
    func values(_ host: HostSnapshot, _ requirement: Requirement) -> FindingValues
}

extension Check {
    public func values(_ host: HostSnapshot, _ requirement: Requirement) -> FindingValues { .none }

    /// The finding with its typed values (not for not-applicable findings: nothing was judged).
    public func judge(_ host: HostSnapshot, _ requirement: Requirement) -> Finding {
        let f = evaluate(host, requirement)
        return f.severity == .notApplicable ? f : f.with(values(host, requirement))
    }
}

extension Check {
    /// A finding of this check.
    public func finding(
        _ severity: Severity, current: String? = nil, needed: String? = nil, why: String? = nil,
        fix: String? = nil, location: String? = nil
    ) -> Finding {
        Finding(
            id: id, title: title, severity: severity, current: current, needed: needed, why: why ?? rationale,
            fix: fix, location: location)
    }

    /// Not applicable, with the reason.
    public func notApplicable(_ reason: String) -> Finding {
        Finding(id: id, title: title, severity: .notApplicable, why: reason)
    }
}

/// Formats counts for people: 1048576 → "1,048,576".
public func grouped(_ n: Int) -> String {
    let s = String(n.magnitude)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + String(out.reversed())
}

/// A sysctl fix: the live command and the persistent line.
public func sysctlFix(_ key: String, _ value: String) -> String {
    "sysctl -w \(key)=\"\(value)\"; persist: echo '\(key) = \(value)' >> /etc/sysctl.d/90-wstune.conf (or: sudo wstune apply)"
}
