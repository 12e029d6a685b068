import Glibc

/// Everything the checks read about one host, read once through one `HostRoot`.
public struct HostSnapshot: Sendable {
    /// Whose fd limits to judge.
    public enum Target: Sendable, Equatable {
        /// This process (what a server started from this shell would inherit).
        case currentProcess
        case pid(Int)
        case unit(String)
    }

    public struct Options: Sendable {
        public var target: Target
        /// A user whose limits.conf nofile to report (login sessions only).
        public var user: String?
        /// How to find listening ports on the live root (SocketDiag's netlink reader); nil: the text tables.
        public var liveListenPorts: Listeners.LivePorts?
        /// How to count ports held by bind() on the live root (SocketDiag's sock_diag census); nil: not counted.
        public var liveBoundPorts: BoundPorts.Live?
        public init(
            target: Target = .currentProcess, user: String? = nil, liveListenPorts: Listeners.LivePorts? = nil,
            liveBoundPorts: BoundPorts.Live? = nil
        ) {
            self.target = target
            self.user = user
            self.liveListenPorts = liveListenPorts
            self.liveBoundPorts = liveBoundPorts
        }
    }

    public var root: HostRoot
    public var target: Target
    public var namespace: NamespaceInfo
    public var sysctls: [SysctlKey: SysctlValue]
    public var scopes: [SysctlKey: SysctlScope]
    /// nofile of the target and where it came from.
    public var fileLimit: FileLimit?
    public var fileLimitSource: FileLimitSource
    public var fileLimitOrigin: String?
    /// Whether the target may raise its hard limit (CAP_SYS_RESOURCE); nil when unknown (a unit not yet running).
    public var canRaiseHardLimit: Bool?
    public var userLimit: (user: String, limit: FileLimit, files: [String])?
    public var persistence: SysctlPersistence
    public var memory: MemoryInfo?
    public var counters: KernelCounters
    public var conntrack: ConntrackFacts
    public var listenPorts: [Int]
    public var systemdRuns: Bool
    /// With a unit target: its configured and effective limits, load state and problems.
    public var unitLimits: SystemdUnitLimits.Result? = nil
    /// Ports of ip_local_port_range that connect() skips because bind() holds them; nil when not counted (not the
    /// live root, no census handed in, or the dump failed).
    public var boundPorts: BoundPorts? = nil

    public func sysctl(_ key: SysctlKey) -> SysctlValue? { sysctls[key] }
    public func int(_ key: SysctlKey) -> Int? { sysctls[key]?.int }
    public func ints(_ key: SysctlKey) -> [Int]? { sysctls[key]?.ints }

    /// fs.nr_open, defaulting to the kernel's 1048576 when absent.
    public var nrOpen: Int { int("fs.nr_open") ?? 1_048_576 }

    /// The target's nofile with "unlimited" resolved.
    public var resolvedFileLimit: (soft: Int, hard: Int)? { fileLimit?.resolved(nrOpen: nrOpen) }

    /// Files every Linux kernel since 2.6.25 has; a root without them is not a host (a copied /etc alone, a typo'd
    /// path), and judging it would report every check "not applicable" and the host READY.
    public static let requiredKernelFiles = ["proc/sys/fs/file-max", "proc/sys/fs/nr_open"]

    public static func read(root: HostRoot, options: Options = Options()) throws -> HostSnapshot {
        let missing = requiredKernelFiles.filter { !root.exists($0) }
        if !missing.isEmpty {
            throw HostFactsError.missingKernelFiles(root: root.path, missing: missing.map { "/" + $0 })
        }
        let pid: String
        if case .pid(let p) = options.target { pid = String(p) } else { pid = "self" }
        let reader = Sysctls(root: root)
        let namespace = NamespaceInfo.read(root: root, pid: pid)
        let values = try reader.readAll()
        var scopes: [SysctlKey: SysctlScope] = [:]
        for k in SysctlKey.all { scopes[k] = namespace.scope(of: k, sysctls: reader) }

        var limit: FileLimit?
        var source = FileLimitSource.process(pid: pid)
        var origin: String?
        var canRaise: Bool?
        var unitLimits: SystemdUnitLimits.Result?
        let systemd = SystemdUnitLimits(root: root)
        switch options.target {
        case .currentProcess, .pid:
            limit = try ProcessLimits.readNofile(root: root, pid: pid)
            origin = root.resolve("proc/\(pid)/limits")
            canRaise = try ProcessLimits.hasSysResource(root: root, pid: pid)
            if case .pid(let p) = options.target, limit == nil {
                throw HostFactsError.unreadable(path: root.resolve("proc/\(p)/limits"), errno: ESRCH)
            }
        case .unit(let name):
            // Judged: what the service gets (its running MainPID's limits, or the configured value as the service
            // manager can set it); `unitLimits` keeps the configured value and why the two differ.
            let r = try systemd.read(unit: name)
            limit = r.effective
            origin = r.running.map { "/proc/\($0.pid)/limits (MainPID); configured \(r.origin)" } ?? r.origin
            let via =
                r.running.map { "MainPID \($0.pid)" }
                ?? (r.origin.hasPrefix("systemctl show") ? "systemctl show" : "unit files")
            source = .unit(name: name, via: via)
            // systemd sets both limits before exec; whether it can go above its own hard limit is in unitLimits.
            canRaise = nil
            unitLimits = r
        }
        var userLimit: (String, FileLimit, [String])?
        if let user = options.user {
            guard try LimitsConf.userExists(user, root: root) else {
                throw HostFactsError.unknownUser(
                    name: user, path: root.isLiveRoot ? "the user database" : root.resolve("etc/passwd"))
            }
            let conf = try LimitsConf.read(root: root)
            let groups = try LimitsConf.groups(of: user, root: root)
            userLimit = (user, conf.nofile(user: user, groups: groups).limit, conf.files)
        }
        return HostSnapshot(
            root: root, target: options.target, namespace: namespace, sysctls: values, scopes: scopes,
            fileLimit: limit, fileLimitSource: source, fileLimitOrigin: origin, canRaiseHardLimit: canRaise,
            userLimit: userLimit, persistence: try SysctlPersistence.read(root: root),
            memory: try MemoryInfo.read(root: root), counters: try KernelCounters.read(root: root),
            conntrack: try ConntrackFacts.read(root: root),
            listenPorts: try Listeners.readPorts(root: root, live: options.liveListenPorts),
            systemdRuns: systemd.systemdRuns, unitLimits: unitLimits,
            boundPorts: census(root: root, live: options.liveBoundPorts, range: values["net.ipv4.ip_local_port_range"]))
    }

    /// The bound-port census on the live root, for the range as read; nil elsewhere or when it fails.
    static func census(root: HostRoot, live: BoundPorts.Live?, range: SysctlValue?) -> BoundPorts? {
        guard root.isLiveRoot, let live, let r = range?.ints, r.count == 2, r[0] <= r[1] else { return nil }
        return try? live(r[0]...r[1])
    }
}
