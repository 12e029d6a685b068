import HostFacts

/// `conntrack.boot-order`: persisted conntrack keys need the module loaded before systemd-sysctl runs.
public struct ConntrackBootOrderCheck: Check {
    public static let id = "conntrack.boot-order"
    public var id: String { Self.id }
    public let title = "Conntrack keys survive a reboot"
    public let rationale =
        "net.netfilter.nf_conntrack_* exist only once nf_conntrack is loaded; systemd-sysctl runs early at boot, so without a modules-load.d entry the keys are silently skipped and the defaults return (modules-load.d(5))."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        let persisted = host.persistence.systemdOrder.filter { $0.key.hasPrefix("net.netfilter.nf_conntrack") }
        guard let first = persisted.first else { return notApplicable("no conntrack key is persisted in sysctl.d") }
        if let file = host.persistence.conntrackModulesLoad {
            return finding(.pass, current: "nf_conntrack loaded at boot by \(file)")
        }
        return finding(
            .warn, current: "\(first.key) set in \(first.file):\(first.line), no modules-load.d entry",
            needed: "nf_conntrack in /etc/modules-load.d/",
            why: "this conntrack key is set before the nf_conntrack module loads at boot, so it is lost",
            fix: "echo nf_conntrack > /etc/modules-load.d/wstune-conntrack.conf",
            location: "\(first.file):\(first.line)")
    }
}
