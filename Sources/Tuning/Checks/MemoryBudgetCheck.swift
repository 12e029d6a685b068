import Foundation
import HostFacts

/// `mem.budget`: RAM holds N connections at the profile's per-connection budget.
public struct MemoryBudgetCheck: Check {
    public static let id = "mem.budget"
    public var id: String { Self.id }
    public let title = "RAM against N × per-connection budget"
    public let rationale =
        "Each connection costs kernel socket memory (~10 KB per idle loopback pair measured here) plus the server's own state; the profile's per_connection_bytes is that budget."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let m = host.memory else { return notApplicable("/proc/meminfo not readable") }
        let need = req.needs.memoryBytes
        let cur = "total \(Bytes.format(m.totalBytes)), available \(Bytes.format(m.availableBytes))"
        let needed =
            "\(Bytes.format(need)) (\(grouped(req.needs.connections)) × \(Bytes.format(req.profile.perConnectionBytes.value)))"
        if need <= m.availableBytes { return finding(.pass, current: cur, needed: needed) }
        if need <= m.totalBytes {
            return finding(
                .warn, current: cur, needed: needed,
                why: "the budget exceeds memory available now; other processes must give way",
                fix: "free memory or lower the target")
        }
        return finding(
            .fail, current: cur, needed: needed, why: "the target does not fit in RAM at this budget",
            fix: "a host with ≥ \(Bytes.format(need)) RAM, a leaner server, or a lower target")
    }
}

/// Human byte sizes (binary units).
public enum Bytes {
    public static func format(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[i])
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension MemoryBudgetCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        FindingValues(
            observed: host.memory.map { .number($0.availableBytes) }, source: "/proc/meminfo MemAvailable",
            requirement: .atLeast(req.needs.memoryBytes), unit: .bytes)
    }
}
