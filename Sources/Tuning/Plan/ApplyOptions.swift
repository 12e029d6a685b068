import Foundation
import HostFacts

/// What `wstune apply` is asked to do, beyond the profile.
public struct ApplyOptions: Sendable {
    /// Where live values are read and written: /proc/sys and /sys under it ("/" on a real host).
    public var liveRoot: HostRoot
    /// Where persistent files and the journal go: /etc and /var/lib/wstune under it. Defaults to `liveRoot`;
    /// a separate one lets a test change a network namespace's live values for real while files go to a temp dir.
    public var filesRoot: HostRoot
    /// A systemd unit to give LimitNOFILE= (drop-in).
    public var unit: String?
    /// The limits.d domain (a user); nil writes `*`.
    public var user: String?
    /// Set every value to the need itself, lowering values above it.
    public var exact: Bool
    public var now: Date

    public init(
        liveRoot: HostRoot, filesRoot: HostRoot? = nil, unit: String? = nil, user: String? = nil,
        exact: Bool = false, now: Date = Date()
    ) {
        self.liveRoot = liveRoot
        self.filesRoot = filesRoot ?? liveRoot
        self.unit = unit
        self.user = user
        self.exact = exact
        self.now = now
    }

    /// Whether `systemctl` acts on the files written (files go to the live "/" and systemd is PID 1).
    public var systemdManagesFiles: Bool { filesRoot.isLiveRoot && SystemdUnitLimits(root: filesRoot).systemdRuns }
}
