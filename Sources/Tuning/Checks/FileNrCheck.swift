import HostFacts

/// `fs.file-nr`: headroom between files open now and fs.file-max.
public struct FileNrCheck: Check {
    public static let id = "fs.file-nr"
    public var id: String { Self.id }
    public let title = "Open files now against fs.file-max"
    public let rationale =
        "fs.file-nr's first field counts allocated file handles now; the target's sockets come on top (proc_sys_fs(5))."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let nr = host.ints("fs.file-nr"), nr.count == 3 else { return notApplicable("fs.file-nr not readable") }
        let used = nr[0]
        let max = nr[2]
        let after = used.addingSaturated(req.needs.connections.multipliedSaturated(by: req.needs.socketsPerConnection))
        let current = "\(grouped(used)) of \(grouped(max))"
        if after <= max.scaled(9, 10) {
            return finding(.pass, current: current, needed: "\(grouped(after)) with the target open ≤ 90% of max")
        }
        return finding(
            after <= max ? .warn : .fail, current: current, needed: "\(grouped(after)) ≤ 90% of fs.file-max",
            why: "with the target's sockets open, \(grouped(after)) handles would be in use",
            fix: sysctlFix("fs.file-max", String(req.needs.fileMax)))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension FileNrCheck {
    /// Observed: handles allocated now (the first of fs.file-nr); they may grow by the target's sockets to 90 % of max.
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        guard let nr = host.ints("fs.file-nr"), nr.count == 3 else { return .none }
        return FindingValues(
            observed: .number(nr[0]), source: "fs.file-nr[0]",
            requirement: .atMost(
                nr[2].scaled(9, 10).subtractingSaturated(
                    req.needs.connections.multipliedSaturated(by: req.needs.socketsPerConnection))), unit: .files)
    }
}
