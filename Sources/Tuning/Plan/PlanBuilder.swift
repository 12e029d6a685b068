import Foundation
import HostFacts

/// Builds the `TuningPlan` from the host as it is (live values under the live root, files under the files root)
/// and the profile's needs. Pure apart from reading the host; nothing is written here.
public struct PlanBuilder {
    public let host: HostSnapshot
    public let requirement: Requirement
    public let options: ApplyOptions
    /// sysctl.d and modules-load.d as the files root has them.
    let persistence: SysctlPersistence
    /// Our sysctl.d file's current assignments.
    let ownSysctl: [String: SysctlValue]
    let namespace: NamespaceInfo
    let isChild: Bool

    public init(host: HostSnapshot, profile: Profile, options: ApplyOptions) throws {
        self.host = host
        self.options = options
        // Its name goes into every file header: checked here too for profiles not read by ProfileStore.
        try ProfileStrings.validate(profile)
        requirement = Requirement(profile: profile, host: host)
        persistence = try SysctlPersistence.read(root: options.filesRoot)
        var own: [String: SysctlValue] = [:]
        // Our file as it is, beneath the files root; a link there (live root) is someone else's file, not ours.
        let ownState = try AtomicFileWriter.state(
            of: RootedPath(root: options.filesRoot.path, relative: PersistentFiles.sysctlConf))
        if let state = ownState, state.linkTarget == nil {
            let text = String(decoding: state.content, as: UTF8.self)
            for a in try SysctlPersistence.parse(text, path: options.filesRoot.resolve(PersistentFiles.sysctlConf)) {
                own[a.key] = a.value
            }
        }
        ownSysctl = own
        isChild = host.namespace.isChild
        namespace = host.namespace
    }

    public func build() throws -> TuningPlan {
        var items: [PlanItem] = []
        var sysctlLines: [PersistentFiles.SysctlLine] = []
        var warnings: [String] = []
        var notes: [String] = []
        for rule in sysctlRules() {
            let (item, line) = sysctlItem(rule.key, rule.rule, why: rule.why)
            items.append(item)
            if let line { sysctlLines.append(line) }
        }
        // Keys our file set earlier that this plan does not persist now (another profile's key, a key global here or
        // absent at the moment) stay as they were: apply never drops a persisted value it cannot judge.
        let managed = Set(sysctlLines.map(\.key))
        for (k, v) in ownSysctl.sorted(by: { $0.key < $1.key }) where !managed.contains(k) {
            sysctlLines.append(.init(key: k, value: v.text, why: "kept from an earlier wstune apply"))
        }
        var files: [FileChange] = []
        if !sysctlLines.isEmpty {
            let text = PersistentFiles.sysctl(
                profile: requirement.profile.name, connections: requirement.needs.connections,
                time: options.now, lines: sysctlLines)
            files.append(try fileChange(PersistentFiles.sysctlConf, kind: "sysctl.d", text, ignoringTime: true))
            warnings += overrideWarnings(sysctlLines)
        }
        let conntrack = try conntrackItems(
            ctMaxTarget: items.first { $0.id == "net.netfilter.nf_conntrack_max" }?.target,
            persistsConntrackKey: sysctlLines.contains { $0.key.hasPrefix("net.netfilter.") })
        items += conntrack.items
        files += conntrack.files
        let nofile = try nofileItems()
        items += nofile.items
        files += nofile.files
        warnings += nofile.warnings
        notes += nofile.notes
        if isChild {
            notes.append(
                "running in a child network namespace or container (\(host.namespace.current ?? "?")): per-namespace net.* keys are set here; global keys must be set on the host"
            )
        }
        let dropInChanged = files.contains { $0.kind == "systemd drop-in" && $0.changed }
        return TuningPlan(
            profile: requirement.profile.name, connections: requirement.needs.connections,
            liveRoot: options.liveRoot.path,
            filesRoot: options.filesRoot.path, exact: options.exact, items: items, files: files, warnings: warnings,
            notes: notes, daemonReload: dropInChanged && options.systemdManagesFiles)
    }

    // MARK: sysctl keys

    struct KeyRule {
        var key: SysctlKey
        var rule: SysctlRule
        var why: String
    }

    /// The keys this profile tunes, in the order they are written.
    func sysctlRules() -> [KeyRule] { Self.sysctlRules(requirement: requirement, host: host, exact: options.exact) }

    /// The same rules from the snapshot alone, for checks that must name the value apply would write
    /// (`sysctl.persisted`).
    static func sysctlRules(requirement: Requirement, host: HostSnapshot, exact: Bool) -> [KeyRule] {
        let n = requirement.needs
        let p = requirement.profile
        var rules: [KeyRule] = [
            KeyRule(
                key: "fs.nr_open", rule: .atLeast(max(n.nrOpen, requirement.targetNofile)),
                why: "per-process ceiling of nofile: LimitNOFILE/setrlimit above it fail (fs.rst)"),
            KeyRule(
                key: "fs.file-max", rule: .atLeast(n.fileMax),
                why:
                    "system-wide open files: \(grouped(n.connections.multipliedSaturated(by: n.socketsPerConnection))) sockets plus the rest of the system; beyond it every process gets ENFILE"
            ),
            KeyRule(
                key: "net.core.somaxconn", rule: .atLeast(n.somaxconn),
                why:
                    "accept queue cap for a reconnect storm of ~\(grouped(n.reconnectRatePerSecond)) handshakes/s (listen(2))"
            ),
            KeyRule(
                key: "net.ipv4.tcp_max_syn_backlog", rule: .atLeast(n.synBacklog),
                why: "SYN queue for the same burst (ip-sysctl.rst)"),
            KeyRule(
                key: "net.core.netdev_max_backlog",
                rule: .atLeast(p.setting("net.core.netdev_max_backlog") ?? (n.connections >= 100_000 ? 16384 : 1000)),
                why: "per-CPU input queue absorbing handshake bursts (ip-sysctl.rst)"),
            KeyRule(
                key: "net.ipv4.tcp_mem", rule: .tcpMem(pressure: n.tcpMemPages),
                why:
                    "TCP memory in pages: \(grouped(n.connections.multipliedSaturated(by: n.socketsPerConnection))) sockets at their minimum buffers stay below pressure (tcp(7))"
            ),
        ]
        var range = host.ints("net.ipv4.ip_local_port_range") ?? [32768, 60999]
        let reserved = EphemeralPorts.parseReserved(host.sysctl("net.ipv4.ip_local_reserved_ports")?.text ?? "")
        if p.proxy.value, n.ephemeralPortsPerBackend <= 64511, let live = host.sysctl("net.ipv4.ip_local_port_range") {
            // Ports bind() holds are skipped by connect() like reserved ones (EphemeralPortSpace).
            let space = EphemeralPortSpace.of(host)
            let rule = SysctlRule.portRange(
                usable: n.ephemeralPortsPerBackend, reserved: reserved.union(space?.heldPorts ?? []))
            rules.append(
                KeyRule(
                    key: "net.ipv4.ip_local_port_range", rule: rule,
                    why:
                        "ephemeral ports for \(grouped(n.ephemeralPortsPerBackend)) upstream connections per backend address"
                        + (space?.heldText.map { "; \($0) of the range, which connect() skips" } ?? "")
                ))
            range = SysctlValue(rule.target(live: live, exact: exact) ?? live.text).ints ?? range
        }
        let exposed = Set(requirement.listenPorts.filter { range.count == 2 && $0 >= range[0] && $0 <= range[1] })
        if !exposed.isEmpty {
            if !rules.contains(where: { $0.key.name == "net.ipv4.ip_local_port_range" }) {
                // The reserved ports are chosen against this range: persist it too, so boot restores the pair.
                rules.append(
                    KeyRule(
                        key: "net.ipv4.ip_local_port_range", rule: .current,
                        why: "ephemeral port range the reserved ports below were chosen against"))
            }
            rules.append(
                KeyRule(
                    key: "net.ipv4.ip_local_reserved_ports", rule: .reservedPorts(exposed),
                    why: "listen ports inside the ephemeral range, kept from outgoing connections (ip-sysctl.rst)"))
        }
        rules.append(
            KeyRule(
                key: "net.ipv4.tcp_tw_reuse",
                rule: p.setting("net.ipv4.tcp_tw_reuse").map { .exactly(String($0)) }
                    ?? .oneOf(preferred: 1, accepted: p.proxy.value ? [1] : [1, 2]),
                why: "reuse TIME-WAIT ports for new outgoing connections after reconnect churn"))
        rules.append(
            KeyRule(
                key: "net.ipv4.tcp_keepalive_time", rule: .atMost(n.keepaliveTimeSeconds),
                why: "TCP keepalive finds dead peers of sockets without pings within a few ping intervals (tcp(7))"))
        if requirement.conntrackApplies(host) {
            rules.append(
                KeyRule(
                    key: "net.netfilter.nf_conntrack_max", rule: .atLeast(n.conntrackMax),
                    why: "conntrack table: a full table drops new connections (nf_conntrack-sysctl.rst)"))
        }
        for key in [
            "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
            "net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_max_orphans",
        ] {
            if let v = p.setting(key) {
                rules.append(
                    KeyRule(key: SysctlKey(key), rule: .exactly(String(v)), why: "pinned by profile \(p.name)"))
            }
        }
        return rules
    }

    /// One sysctl's plan item and, if it is persisted, its line in our sysctl.d file.
    func sysctlItem(_ key: SysctlKey, _ rule: SysctlRule, why: String) -> (PlanItem, PersistentFiles.SysctlLine?) {
        let sysctls = Sysctls(root: options.liveRoot)
        var item = PlanItem(
            id: key.name, live: nil, persisted: persistedText(key), need: rule.needText, target: nil,
            action: .keep, liveChange: nil, file: nil, fileChanged: false, why: why, note: nil)
        let scope = namespace.scope(of: key, sysctls: sysctls)
        if isChild && scope == .global {
            item.live = host.sysctl(key)?.text
            item.action = .global
            item.note = "global: set it on the host"
            return (item, nil)
        }
        let read: SysctlValue?
        do {
            read = try sysctls.read(key)
        } catch {
            item.action = .absent
            item.note = "unreadable: \(error)"
            return (item, nil)
        }
        guard let live = read else {
            item.action = .absent
            item.note =
                key.name.hasPrefix("net.netfilter.") ? "nf_conntrack not loaded" : "this kernel has no \(key.name)"
            return (item, nil)
        }
        item.live = live.text
        guard var target = rule.target(live: live, exact: options.exact) else {
            item.action = .absent
            item.note = "unexpected value '\(live.text)'"
            return (item, nil)
        }
        // --exact lowers values to the need, but never below what the kernel itself starts with on this machine.
        if options.exact, rule.lowersWithExact, let floor = KernelFloor.floor(key.name, memory: host.memory),
            let raised = KernelFloor.raise(target, to: floor.value)
        {
            item.note = "--exact: kept at \(raised), not the need's \(target): never below the \(floor.source)"
            target = raised
        }
        item.target = target
        let path = options.liveRoot.resolve(key.procPath)
        // The previous value byte for byte (tabs kept), so rollback restores exactly what was there.
        let raw =
            ((try? options.liveRoot.readText(key.procPath)) ?? nil).map {
                $0.hasSuffix("\n") ? String($0.dropLast()) : $0
            } ?? live.text
        let change = LiveChange(key: key.name, path: path, previous: raw, value: target, comparison: rule.comparison)
        if !change.same(live.text, target) {
            // In a child namespace a key this process cannot write is the host's; elsewhere a failing write is an
            // error that rolls the run back (the kernel's answer, not a guess).
            if isChild && access(path, W_OK) != 0 {
                item.action = .global
                item.note = "global: set it on the host"
                return (item, nil)
            }
            item.liveChange = change
            item.action = .set
        }
        // Persist when our file already holds the key, or when boot would restore something else.
        let own = ownSysctl[key.name]
        let boot = bootValue(key) ?? live
        guard own != nil || !change.same(boot.text, target) else { return (item, nil) }
        item.file = options.filesRoot.resolve(PersistentFiles.sysctlConf)
        item.fileChanged = own.map { !change.same($0.text, target) } ?? true
        if item.action == .keep && item.fileChanged { item.action = .persist }
        return (item, .init(key: key.name, value: target, why: "\(why); need \(rule.needText)"))
    }

    /// What a reboot applies to a key: the winning sysctl.d assignment, else a fixed kernel default, else nil.
    func bootValue(_ key: SysctlKey) -> SysctlValue? {
        if let w = persistence.winner(key, order: .systemd) { return w.value }
        return PersistedCheck.kernelDefaults[key.name].map(SysctlValue.init)
    }

    func persistedText(_ key: SysctlKey) -> String {
        if let w = persistence.winner(key, order: .systemd) { return "\(w.value.text) (\(w.file):\(w.line))" }
        if let d = PersistedCheck.kernelDefaults[key.name] {
            return "not persisted (kernel default \(d.isEmpty ? "empty" : d))"
        }
        return "not persisted"
    }

    /// Files after ours in sysctl's order that set a key we persist to another value.
    func overrideWarnings(_ lines: [PersistentFiles.SysctlLine]) -> [String] {
        let ownPath = options.filesRoot.resolve(PersistentFiles.sysctlConf)
        var out: [String] = []
        for line in lines {
            var seen: Set<String> = []
            for order in SysctlPersistence.Order.allCases {
                for a in persistence.assignments(SysctlKey(line.key), order: order) where a.file != ownPath {
                    let name = (a.file as NSString).lastPathComponent
                    let later = name > PersistentFiles.ownName || a.file == options.filesRoot.resolve("etc/sysctl.conf")
                    // Debian's /etc/sysctl.d/99-sysctl.conf is a link to /etc/sysctl.conf: name that line once.
                    let real = URL(fileURLWithPath: a.file).resolvingSymlinksInPath().path + ":\(a.line)"
                    guard later, !SysctlValue(line.value).sameValue(as: a.value), !seen.contains(real) else { continue }
                    seen.insert(real)
                    let orders =
                        a.file == options.filesRoot.resolve("etc/sysctl.conf")
                        ? "`sysctl --system`" : "systemd-sysctl and `sysctl --system`"
                    out.append(
                        "\(a.file):\(a.line) sets \(line.key) = \(a.value.text) after /\(PersistentFiles.sysctlConf) (\(line.value)): \(orders) will apply \(a.value.text); remove that line or raise it"
                    )
                }
            }
        }
        return out
    }

    /// A file's change: previous bytes and the new content (unchanged when equal, or equal apart from the time line).
    func fileChange(_ relative: String, kind: String, _ text: String, ignoringTime: Bool = false) throws -> FileChange {
        let path = options.filesRoot.resolve(relative)
        let previous = try AtomicFileWriter.state(of: RootedPath(root: options.filesRoot.path, relative: relative))
        var content = Data(text.utf8)
        var changed = previous?.content != content || previous?.mode != 0o644 || previous?.linkTarget != nil
        if ignoringTime, let prev = previous, prev.mode == 0o644, prev.linkTarget == nil,
            PersistentFiles.sameIgnoringTime(String(decoding: prev.content, as: UTF8.self), text)
        {
            changed = false
            content = prev.content
        }
        return FileChange(
            path: path, kind: kind, previous: previous?.linkTarget == nil ? previous?.content : nil,
            previousMode: previous?.mode, previousOwner: previous.map { [$0.uid, $0.gid] },
            previousLinkTarget: previous?.linkTarget, content: content, changed: changed)
    }
}
