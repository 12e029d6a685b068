import Foundation

/// The nofile limit systemd gives a service. Configured: `systemctl show` when systemd runs on the live root,
/// else the unit's files (one resolver: `SystemdUnitResolver`) and DefaultLimitNOFILE. Effective: what the
/// running MainPID has (/proc/PID/limits), or, not running, the configured value capped by the service manager's
/// own hard limit when it lacks CAP_SYS_RESOURCE (systemd's setrlimit_closest).
public struct SystemdUnitLimits: Sendable {
    /// Unit search path, highest priority first (see `SystemdUnitResolver.searchPath`).
    public static var unitDirectories: [String] { SystemdUnitResolver.searchPath }
    /// systemd's built-in DefaultLimitNOFILE since v240: soft 1024 (select() safety), hard 524288.
    public static let builtinDefault = FileLimit(soft: 1024, hard: 524288)

    public struct Result: Sendable, Equatable {
        /// The configured limit (what systemd asks for at the next start).
        public var limit: FileLimit
        /// What decided it: "systemctl show", a file:line, or DefaultLimitNOFILE's origin.
        public var origin: String
        /// The unit file found, nil if none.
        public var unitFile: String?
        public var dropIns: [String]
        public var loadState: ResolvedUnit.LoadState
        /// LimitNOFILE= lines systemd ignores (invalid value, wrong section) and lines that refuse the unit.
        public var problems: [UnitFileProblem]
        /// The running main process and its limits (live root with systemd only).
        public var running: (pid: Int, limit: FileLimit)?
        /// The service manager's (PID 1's) hard nofile and whether it may raise it (CAP_SYS_RESOURCE).
        public var manager: (hard: Int?, canRaise: Bool?)?
        /// Unit files changed on disk since systemd loaded them (`NeedDaemonReload=yes`).
        public var needsDaemonReload: Bool = false

        public static func == (a: Result, b: Result) -> Bool {
            a.limit == b.limit && a.origin == b.origin && a.unitFile == b.unitFile && a.dropIns == b.dropIns
                && a.loadState == b.loadState && a.problems == b.problems && a.running?.pid == b.running?.pid
                && a.running?.limit == b.running?.limit && a.manager?.hard == b.manager?.hard
                && a.manager?.canRaise == b.manager?.canRaise && a.needsDaemonReload == b.needsDaemonReload
        }

        /// What the service gets: the running process's limits, else the configured value as the manager can set it.
        public var effective: FileLimit {
            if let r = running { return r.limit }
            return loadState == .loaded || loadState == .notFound ? Self.capped(limit, by: manager) : limit
        }

        /// The service manager lacks CAP_SYS_RESOURCE and its hard limit is below the configured hard limit.
        public var managerCapsLimit: Bool {
            guard let m = manager, m.canRaise != true, let mh = m.hard else { return false }
            return (limit.hard ?? Int.max) > mh
        }

        /// Why the effective limit differs from the configured one; nil when they agree.
        public var difference: String? {
            let eff = effective
            guard eff != limit else { return nil }
            let conf = "configured LimitNOFILE=\(Self.format(limit)) (\(origin))"
            let got =
                running.map { "MainPID \($0.pid) has \(Self.format(eff))" }
                ?? "the service will get \(Self.format(eff))"
            if managerCapsLimit, let mh = manager?.hard, eff.hard ?? Int.max <= mh {
                return
                    "\(conf), but \(got): the service manager (PID 1) has hard nofile \(mh) and no CAP_SYS_RESOURCE, so systemd cannot raise a service above it (setrlimit(2))"
            }
            if running != nil {
                return "\(conf), but \(got): the process started before the change; restart the unit"
            }
            return "\(conf), but \(got)"
        }

        /// systemd's setrlimit_closest: refused a hard limit above its own, it sets the closest it can.
        static func capped(_ l: FileLimit, by manager: (hard: Int?, canRaise: Bool?)?) -> FileLimit {
            guard let m = manager, m.canRaise != true, let mh = m.hard, (l.hard ?? Int.max) > mh else { return l }
            return FileLimit(soft: min(l.soft ?? Int.max, mh), hard: mh)
        }

        static func format(_ l: FileLimit) -> String {
            func one(_ v: Int?) -> String { v.map(String.init) ?? "infinity" }
            return l.soft == l.hard ? one(l.soft) : "\(one(l.soft)):\(one(l.hard))"
        }
    }

    public let root: HostRoot
    public init(root: HostRoot) { self.root = root }

    /// True when systemd is PID 1 on the live root (where `systemctl show` tells the truth).
    public var systemdRuns: Bool { root.isLiveRoot && root.exists("run/systemd/system") }

    /// The unit's limits: `systemctl show` (and the MainPID's /proc limits) where systemd runs, else its files.
    public func read(unit rawName: String) throws -> Result {
        let name = try SystemdUnitResolver.fullName(rawName)
        var r = try fromFiles(unit: name)
        r.manager = Self.manager(root: root)
        guard systemdRuns, let shown = SystemctlShow.run(unit: name) else { return r }
        let fileOrigin = r.origin
        let fileLimit = r.limit
        if let state = shown["LoadState"] {
            r.loadState = ResolvedUnit.LoadState(rawValue: state) ?? (state == "bad-setting" ? .error : r.loadState)
        }
        // A unit systemd has not loaded shows the manager's own limit, not one it would give the unit.
        if r.loadState == .loaded, let l = SystemctlShow.limit(shown) {
            r.limit = l
            r.origin = l == fileLimit ? "systemctl show; \(fileOrigin)" : "systemctl show"
        }
        r.needsDaemonReload = shown["NeedDaemonReload"] == "yes"
        if let pid = shown["MainPID"].flatMap(Int.init), pid > 0,
            let l = try ProcessLimits.readNofile(root: root, pid: String(pid))
        {
            r.running = (pid, l)
        }
        return r
    }

    /// Reads the unit file and drop-ins under the root (no subprocess).
    public func fromFiles(unit rawName: String) throws -> Result {
        let unit = try SystemdUnitResolver(root: root).resolve(rawName)
        let resolution = unit.limit()
        let problems = unit.problems.filter(\.refusesUnit) + resolution.misplaced + resolution.ignored
        var r = Result(
            limit: Self.builtinDefault, origin: "", unitFile: unit.fragment, dropIns: unit.dropIns,
            loadState: unit.loadState, problems: problems)
        if let l = resolution.limit, let from = resolution.from {
            r.limit = l
            r.origin = from.location
        } else {
            let d = try defaultLimit()
            r.limit = d.limit
            r.origin = d.origin
        }
        return r
    }

    /// DefaultLimitNOFILE from system.conf and system.conf.d, or systemd's built-in default.
    public func defaultLimit() throws -> (limit: FileLimit, origin: String) {
        var files = ["etc/systemd/system.conf"]
        var byName: [String: String] = [:]
        for dir in [
            "usr/lib/systemd/system.conf.d", "usr/local/lib/systemd/system.conf.d", "run/systemd/system.conf.d",
            "etc/systemd/system.conf.d",
        ] {
            for f in root.listDirectory(dir) where f.hasSuffix(".conf") { byName[f] = "\(dir)/\(f)" }
        }
        files += byName.keys.sorted().compactMap { byName[$0] }
        var assignments: [UnitAssignment] = []
        for f in files {
            guard let text = try root.readText(f) else { continue }
            assignments += UnitFileParser.parse(text, file: root.resolve(f)).assignments
        }
        let r = UnitLimitResolution.resolve("DefaultLimitNOFILE", in: "Manager", assignments)
        if let l = r.limit, let from = r.from { return (l, from.location) }
        return (Self.builtinDefault, "systemd's built-in DefaultLimitNOFILE=1024:524288")
    }

    /// PID 1's hard nofile and CAP_SYS_RESOURCE, from proc/1 under the root; nil when not readable.
    public static func manager(root: HostRoot) -> (hard: Int?, canRaise: Bool?)? {
        guard let l = try? ProcessLimits.readNofile(root: root, pid: "1") else { return nil }
        return (l.hard, try? ProcessLimits.hasSysResource(root: root, pid: "1"))
    }

    /// Kept for callers of the old API: `N`, `SOFT:HARD`, `infinity` as systemd reads them.
    static func parseLimitValue(_ s: String) -> FileLimit? {
        if case .success(let l) = UnitLimitValue.parse(s) { return l }
        return nil
    }
}
