import Foundation
import HostFacts

/// The files `wstune apply` owns, their paths below the root and their content. Only the sysctl.d file carries
/// the time (a header line ignored when deciding whether the content changed), so an identical apply writes nothing.
public enum PersistentFiles {
    public static let sysctlConf = "etc/sysctl.d/90-wstune.conf"
    public static let limitsConf = "etc/security/limits.d/90-wstune.conf"
    public static let modprobeConf = "etc/modprobe.d/wstune-conntrack.conf"
    public static let modulesLoadConf = "etc/modules-load.d/wstune-conntrack.conf"
    /// File name of every drop-in and sysctl.d file we own: its sort position decides who overrides it.
    public static let ownName = "90-wstune.conf"
    static let writtenPrefix = "# Written: "

    /// `U` → `U.service`; names with a type suffix stay as they are.
    public static func unitName(_ unit: String) -> String { unit.contains(".") ? unit : unit + ".service" }

    public static func dropIn(unit: String) -> String { "etc/systemd/system/\(unitName(unit)).d/\(ownName)" }

    public struct SysctlLine: Sendable, Equatable {
        public var key: String
        public var value: String
        public var why: String
    }

    static func header(_ path: String, profile: String, connections: Int) -> String {
        "# /\(path): written by `wstune apply` for profile \(profile), target \(grouped(connections)) WebSocket connections.\n"
            + "# Undo with `sudo wstune rollback`. Edits here are replaced by the next `wstune apply`.\n"
    }

    public static func sysctl(profile: String, connections: Int, time: Date, lines: [SysctlLine]) -> String {
        var out = header(sysctlConf, profile: profile, connections: connections)
        out += writtenPrefix + iso8601(time) + "\n"
        for l in lines { out += "\n# \(l.why)\n\(l.key) = \(l.value)\n" }
        return out
    }

    public static func limits(
        profile: String, connections: Int, domain: String, soft: Int, hard: Int,
        root: (soft: Int, hard: Int)? = nil
    ) -> String {
        var out =
            header(limitsConf, profile: profile, connections: connections)
            + "# nofile for PAM login sessions (ssh, su, login) only: systemd services ignore limits.conf and take\n"
            + "# LimitNOFILE= from their unit (wstune apply --unit NAME writes that drop-in).\n"
            + "\(domain) soft nofile \(soft)\n\(domain) hard nofile \(hard)\n"
        if let root {
            out +=
                "# limits.conf(5): a wildcard line does not apply to root; root's logins get their own.\n"
                + "root soft nofile \(root.soft)\nroot hard nofile \(root.hard)\n"
        }
        return out
    }

    public static func dropInContent(unit: String, profile: String, connections: Int, soft: Int, hard: Int) -> String {
        header(dropIn(unit: unit), profile: profile, connections: connections)
            + "# systemd sets both limits before exec; restart the unit for it to take effect.\n"
            + "[Service]\nLimitNOFILE=\(soft == hard ? "\(soft)" : "\(soft):\(hard)")\n"
    }

    public static func modprobe(profile: String, connections: Int, hashsize: Int) -> String {
        header(modprobeConf, profile: profile, connections: connections)
            + "# Conntrack hash buckets (nf_conntrack_buckets) when the module loads: ≥ nf_conntrack_max / 4.\n"
            + "options nf_conntrack hashsize=\(hashsize)\n"
    }

    public static func modulesLoad(profile: String, connections: Int) -> String {
        header(modulesLoadConf, profile: profile, connections: connections)
            + "# Load nf_conntrack before systemd-sysctl runs, or its net.netfilter.* keys are skipped at boot.\n"
            + "nf_conntrack\n"
    }

    /// Whether two renderings are the same file apart from the time line.
    public static func sameIgnoringTime(_ a: String, _ b: String) -> Bool {
        func strip(_ s: String) -> [Substring] {
            s.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix(writtenPrefix) }
        }
        return strip(a) == strip(b)
    }

    static func iso8601(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}
