import HostFacts

/// `sysctl.persisted`: the live value of a tuned key is what a reboot restores.
public struct PersistedCheck: Check {
    public static let id = "sysctl.persisted"
    public var id: String { Self.id }
    public let title = "Live sysctl values a reboot would lose"
    public let rationale =
        "`sysctl -w` changes only the running kernel; at boot systemd-sysctl applies sysctl.d files (sysctl.d(5)), so a value not persisted there reverts."
    public init() {}

    /// Kernel defaults of keys that have a fixed default (others depend on RAM and are judged only against files).
    static let kernelDefaults: [String: String] = [
        "net.core.somaxconn": "4096", "net.ipv4.tcp_tw_reuse": "2", "net.ipv4.ip_local_port_range": "32768 60999",
        "net.ipv4.tcp_fin_timeout": "60", "net.ipv4.tcp_keepalive_time": "7200", "net.ipv4.tcp_keepalive_intvl": "75",
        "net.ipv4.tcp_keepalive_probes": "9", "fs.nr_open": "1048576", "net.core.netdev_max_backlog": "1000",
        "net.ipv4.ip_local_reserved_ports": "",
    ]

    static let tunedKeys: [SysctlKey] = SysctlKey.all.filter {
        !["fs.file-nr", "net.netfilter.nf_conntrack_count"].contains($0.name)
    }

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        var lost: [String] = []
        var fixes: [String] = []
        var location: String?
        // The line to persist is what apply would write: the live value where it meets the profile's need, the need
        // where it does not (persisting a too-low live value would keep the host short after every reboot).
        let rules = Dictionary(
            PlanBuilder.sysctlRules(requirement: req, host: host, exact: false).map { ($0.key.name, $0.rule) },
            uniquingKeysWith: { first, _ in first })
        func persisted(_ key: SysctlKey, _ live: SysctlValue) -> String {
            "\(key.name) = \(rules[key.name]?.target(live: live, exact: false) ?? live.text)"
        }
        for key in Self.tunedKeys {
            guard let live = host.sysctl(key) else { continue }
            if let w = host.persistence.winner(key, order: .systemd) {
                if !w.value.sameValue(as: live) {
                    lost.append("\(key.name): live \(live.text), boot restores \(w.value.text) (\(w.file):\(w.line))")
                    location = location ?? "\(w.file):\(w.line)"
                    fixes.append(persisted(key, live))
                }
            } else if let d = Self.kernelDefaults[key.name], !SysctlValue(d).sameValue(as: live),
                host.scopes[key] != .perNamespace || !host.namespace.isChild
            {
                lost.append("\(key.name): live \(live.text), not persisted (boot default \(d.isEmpty ? "empty" : d))")
                fixes.append(persisted(key, live))
            }
        }
        if lost.isEmpty {
            return finding(.pass, current: "live values match what boot restores")
        }
        return finding(
            .warn, current: lost.joined(separator: "; "), needed: "persisted in sysctl.d",
            why: "the live value is not what a reboot restores",
            fix: "add to /etc/sysctl.d/90-wstune.conf: " + fixes.joined(separator: "; ") + " (or: sudo wstune apply)",
            location: location)
    }
}
