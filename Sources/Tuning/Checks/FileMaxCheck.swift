import HostFacts

/// `fs.file-max`: the system-wide open-file ceiling covers every socket plus the rest of the system.
public struct FileMaxCheck: Check {
    public static let id = "fs.file-max"
    public var id: String { Self.id }
    public let title = "System-wide open files (fs.file-max)"
    public let rationale =
        "When fs.file-max is reached every process gets ENFILE (Documentation/admin-guide/sysctl/fs.rst)."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        guard let v = host.int("fs.file-max") else { return notApplicable("fs.file-max not readable") }
        let need = req.needs.fileMax
        return v >= need
            ? finding(.pass, current: grouped(v), needed: "≥ \(grouped(need))")
            : finding(
                .fail, current: grouped(v), needed: "≥ \(grouped(need))", fix: sysctlFix("fs.file-max", String(need)))
    }
}

// Typed values for --json (issue 16): the observed number, its source and the requirement.
extension FileMaxCheck {
    public func values(_ host: HostSnapshot, _ req: Requirement) -> FindingValues {
        .sysctl(host, "fs.file-max", .atLeast(req.needs.fileMax), .files)
    }
}
