import Foundation
import HostFacts

/// The result of an audit: findings, the verdict and the capacity as configured. Encodes as the documented
/// `--json` schema (README, "audit --json").
public struct AuditReport: Sendable, Codable {
    public static let schemaVersion = 2

    public struct Target: Sendable, Codable {
        public var kind: String  // process, pid, unit
        public var name: String
        public var nofileSoft: Int?
        public var nofileHard: Int?
        public var origin: String?
    }

    public struct Capacity: Sendable, Codable {
        public var connections: Int
        public var bindingLimit: String?
        public var bindingDescription: String?
        public var limits: [Supply.Limit]
    }

    public var schemaVersion = AuditReport.schemaVersion
    public var root: String
    public var profile: String
    public var connections: Int
    public var networkNamespace: String
    public var target: Target
    /// Whether the host is ready: no finding at `failOn` or worse (fail by default; `--fail-on warn` also warnings).
    public var ready: Bool
    /// The severity that makes the host not ready: "fail" or "warn" (`--fail-on`).
    public var failOn: Severity = .fail
    public var findings: [Finding]
    public var capacity: Capacity
    public var skipped: [String]
    public var notes: [String]
    public var needs: Needs

    /// Worst severity among findings.
    public var worst: Severity { findings.map(\.severity).max() ?? .pass }

    /// The report judged with `--fail-on`: not ready when any finding is at `threshold` or worse.
    public func judged(failOn threshold: Severity) -> AuditReport {
        var r = self
        r.failOn = threshold
        r.ready = !findings.contains { $0.severity >= threshold }
        return r
    }

    /// Ids of the findings that make the host not ready.
    public var blocking: [String] { findings.filter { $0.severity >= failOn }.map(\.id) }
}

/// Runs every registered check against a host snapshot.
public enum Audit {
    public static func run(
        host: HostSnapshot, profile: Profile, skip: Set<String> = [], checks: [any Check] = CheckRegistry.all
    ) -> AuditReport {
        let req = Requirement(profile: profile, host: host)
        let findings = checks.filter { !skip.contains($0.id) }.map { $0.judge(host, req) }
        let supply = Supply.of(host, req)
        var notes: [String] = []
        if host.namespace.isChild {
            let globalNet = host.scopes.filter { $0.value == .global && $0.key.name.hasPrefix("net.") }.map(\.key.name)
                .sorted()
            notes.append(
                "running in a non-initial network namespace (\(host.namespace.current ?? "?")): per-namespace keys are this namespace's; fs.* and the keys the kernel shows as global here (\(globalNet.joined(separator: ", "))) are the host's and must be set there"
            )
        }
        if case .unit = host.target {
            notes.append("limits.conf does not apply to systemd services; the unit's LimitNOFILE= does")
        }
        if host.canRaiseHardLimit == false, let l = host.resolvedFileLimit, l.hard < req.targetNofile {
            notes.append(
                "this process lacks CAP_SYS_RESOURCE: its hard nofile \(grouped(l.hard)) cannot be raised here")
        }
        for path in host.conntrack.notReadable {
            notes.append("\(path): not readable without root; its check judges what the other files show")
        }
        let kind: String
        let name: String
        switch host.target {
        case .currentProcess: kind = "process"; name = "self"
        case .pid(let p): kind = "pid"; name = String(p)
        case .unit(let u): kind = "unit"; name = u
        }
        let ready = !findings.contains { $0.severity == .fail }
        return AuditReport(
            root: host.root.path, profile: profile.name, connections: req.needs.connections,
            networkNamespace: host.namespace.isChild
                ? "child" : (host.namespace.current == nil ? "unknown" : "initial"),
            target: .init(
                kind: kind, name: name, nofileSoft: host.resolvedFileLimit?.soft,
                nofileHard: host.resolvedFileLimit?.hard,
                origin: host.fileLimitOrigin),
            ready: ready, findings: findings,
            capacity: .init(
                connections: supply.connections, bindingLimit: supply.binding?.id,
                bindingDescription: supply.binding?.description, limits: supply.limits),
            skipped: checks.map(\.id).filter { skip.contains($0) }, notes: notes, needs: req.needs)
    }
}
