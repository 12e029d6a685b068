import HostFacts

/// `sysctl.overridden`: a persisted key set in several files: which file wins, which lose, and whether
/// systemd-sysctl (boot) and `sysctl --system` (procps) disagree.
public struct OverriddenCheck: Check {
    public static let id = "sysctl.overridden"
    public var id: String { Self.id }
    public let title = "Persisted sysctl values overridden by a later file"
    public let rationale =
        "sysctl.d files apply in file-name order and the last assignment wins; procps' `sysctl --system` also applies /etc/sysctl.conf last, systemd-sysctl does not (sysctl.d(5), sysctl(8))."
    public init() {}

    public func evaluate(_ host: HostSnapshot, _ req: Requirement) -> Finding {
        var notes: [String] = []
        var worst = Severity.pass
        var location: String?
        for key in PersistedCheck.tunedKeys {
            let boot = host.persistence.assignments(key, order: .systemd)
            let procps = host.persistence.assignments(key, order: .procps)
            guard let bw = boot.last ?? procps.last else { continue }
            let distinct = Set(procps.map(\.value.text))
            if let pw = procps.last, boot.last.map({ !pw.value.sameValue(as: $0.value) }) ?? true {
                let bootText =
                    boot.last.map { "\($0.value.text) (\($0.file):\($0.line))" } ?? "nothing (kernel default)"
                notes.append(
                    "\(key.name): boot applies \(bootText) but `sysctl --system` applies \(pw.value.text) (\(pw.file):\(pw.line))"
                )
                worst = .warn
                location = location ?? "\(pw.file):\(pw.line)"
            } else if distinct.count > 1 {
                let losers = procps.dropLast().filter { !$0.value.sameValue(as: bw.value) }.map {
                    "\($0.file):\($0.line) (\($0.value.text))"
                }
                notes.append(
                    "\(key.name): \(bw.file):\(bw.line) wins with \(bw.value.text); lost: \(losers.joined(separator: ", "))"
                )
                worst = max(worst, .info)
                location = location ?? "\(bw.file):\(bw.line)"
            }
        }
        if notes.isEmpty {
            return finding(.pass, current: "no persisted key is set to different values in different files")
        }
        return finding(
            worst, current: notes.joined(separator: "; "), needed: "one file sets each key",
            fix: "remove the losing lines, or name the wanted file so it sorts last (e.g. 99-…)", location: location)
    }
}
