import Foundation
import HostFacts

extension PlanBuilder {
    /// nofile for login sessions (limits.d) and, with `--unit`, for the systemd service (drop-in LimitNOFILE=).
    func nofileItems() throws -> Part {
        var part = Part()
        let need = requirement.targetNofile
        let nrOpen = max(host.nrOpen, requirement.needs.nrOpen)
        let profile = requirement.profile.name
        let connections = requirement.needs.connections

        // limits.d: `*` (every user but root: limits.conf(5) applies no wildcard or group line to root) or the
        // --user's name. Baseline: what the login gets without our file (other limits.conf lines, else the session's
        // inherited limit, systemd's DefaultLimitNOFILE). The hard limit is never lowered below it, even with --exact.
        let conf = try LimitsConf.read(root: options.filesRoot)
        let domain = options.user ?? "*"
        let groups = try options.user.map { try LimitsConf.groups(of: $0, root: options.filesRoot) } ?? []
        let ownLimits = options.filesRoot.resolve(PersistentFiles.limitsConf)
        var others = conf
        others.entries.removeAll { $0.file == ownLimits }
        let current = conf.nofile(user: options.user ?? "", groups: groups)
        let inherited =
            ((try? SystemdUnitLimits(root: options.filesRoot).defaultLimit().limit) ?? SystemdUnitLimits.builtinDefault)
            .resolved(nrOpen: nrOpen)
        func value(_ e: LimitsConf.Entry?) -> Int { e.map { $0.value ?? nrOpen } ?? 0 }
        func baseline(_ n: (limit: FileLimit, soft: LimitsConf.Entry?, hard: LimitsConf.Entry?)) -> (
            soft: Int, hard: Int
        ) {
            (n.soft.map { $0.value ?? nrOpen } ?? inherited.soft, n.hard.map { $0.value ?? nrOpen } ?? inherited.hard)
        }
        let base = baseline(others.nofile(user: options.user ?? "", groups: groups))
        let (curSoft, curHard) = (value(current.soft), value(current.hard))
        var limits = PlanItem(
            id: "nofile (limits.d \(domain))",
            live:
                "soft \(current.soft == nil ? "unset" : String(curSoft)), hard \(current.hard == nil ? "unset" : String(curHard))",
            persisted: [current.soft, current.hard].compactMap { $0.map { "\($0.file):\($0.line)" } }.first
                ?? "no limits.conf entry",
            need: "≥ \(need)", target: nil, action: .keep, liveChange: nil, file: nil, fileChanged: false,
            why: "open files of a server started from a login session (pam_limits); not used by systemd services",
            note: nil)
        let hard = max(base.hard, need)
        let soft = min(options.exact ? need : max(base.soft, need), hard)
        // root's own line (only a line naming root applies to it), when root's logins would stay below the need.
        var rootLine: (soft: Int, hard: Int)?
        if domain == "*" {
            var rootOnly = others
            rootOnly.entries.removeAll { $0.domain != "root" }
            let r = baseline(rootOnly.nofile(user: "root", groups: []))
            if r.soft < need {
                let rHard = max(r.hard, need)
                rootLine = (min(options.exact ? need : max(r.soft, need), rHard), rHard)
            }
        }
        if options.exact && hard > need {
            limits.note = "--exact: hard limit kept at \(hard): a login's hard limit is never lowered"
        }
        if options.filesRoot.exists(PersistentFiles.limitsConf) || curSoft < need || curHard < need || rootLine != nil
            || options.exact && (curSoft != soft || curHard != hard)
        {
            let f = try fileChange(
                PersistentFiles.limitsConf, kind: "limits.d",
                PersistentFiles.limits(
                    profile: profile, connections: connections, domain: domain, soft: soft,
                    hard: hard, root: rootLine))
            limits.target =
                "soft \(soft), hard \(hard)" + (rootLine.map { "; root soft \($0.soft), hard \($0.hard)" } ?? "")
            limits.file = f.path
            limits.fileChanged = f.changed
            if f.changed { limits.action = .persist }
            part.files.append(f)
            for e in conf.entries
            where e.domain == domain && e.file != ownLimits
                && (e.file as NSString).lastPathComponent > PersistentFiles.ownName && e.file.contains("/limits.d/")
            {
                part.warnings.append(
                    "\(e.file):\(e.line) sets \(domain) \(e.type) nofile after \(ownLimits): pam_limits applies it instead"
                )
            }
        }
        part.items.append(limits)

        guard let unit = options.unit else { return part }
        let name = PersistentFiles.unitName(unit)
        let limitsReader = SystemdUnitLimits(root: options.filesRoot)
        let r = try limitsReader.fromFiles(unit: name)
        let cur = r.limit.resolved(nrOpen: nrOpen)
        let dropInRel = PersistentFiles.dropIn(unit: unit)
        let dropInPath = options.filesRoot.resolve(dropInRel)
        var item = PlanItem(
            id: "nofile (\(name))", live: "soft \(cur.soft), hard \(cur.hard)", persisted: r.origin, need: "≥ \(need)",
            target: nil, action: .keep, liveChange: nil, file: nil, fileChanged: false,
            why: "LimitNOFILE= of the service: accept() fails with EMFILE at the soft limit (systemd.exec(5))",
            note: nil)
        if r.unitFile == nil {
            item.note = "no unit file \(name) under \(options.filesRoot.path): the drop-in applies once the unit exists"
        }
        let (uSoft, uHard) = options.exact ? (need, need) : (max(cur.soft, need), max(cur.hard, need))
        if options.filesRoot.exists(dropInRel) || cur.soft < need || cur.hard < need
            || options.exact && (cur.soft != need || cur.hard != need)
        {
            let f = try fileChange(
                dropInRel, kind: "systemd drop-in",
                PersistentFiles.dropInContent(
                    unit: unit, profile: profile, connections: connections, soft: uSoft, hard: uHard))
            item.target = "soft \(uSoft), hard \(uHard)"
            item.file = f.path
            item.fileChanged = f.changed
            if f.changed {
                item.action = .persist
                part.notes.append(
                    "restart \(name) for LimitNOFILE=\(uSoft == uHard ? "\(uSoft)" : "\(uSoft):\(uHard)") to take effect: systemctl restart \(name)"
                )
            }
            part.files.append(f)
            // systemd cannot give a service more than its own hard limit without CAP_SYS_RESOURCE.
            if let m = SystemdUnitLimits.manager(root: options.liveRoot), m.canRaise != true, let mh = m.hard,
                uHard > mh
            {
                let written = uSoft == uHard ? "\(uSoft)" : "\(uSoft):\(uHard)"
                part.warnings.append(
                    "LimitNOFILE=\(written) cannot take effect: the service manager (PID 1) has hard nofile \(mh) and no CAP_SYS_RESOURCE, so \(name) gets soft \(min(uSoft, mh)), hard \(mh) (systemctl show still says \(written)); raise the service manager's limit (the container's or VM's)"
                )
            }
            // A drop-in sorting after ours that sets LimitNOFILE= wins over ours.
            let originFile = String(r.origin.split(separator: ":").first ?? "")
            if originFile != dropInPath, originFile.contains(".d/"),
                (originFile as NSString).lastPathComponent > PersistentFiles.ownName
            {
                part.warnings.append("\(r.origin) sets LimitNOFILE= after \(dropInPath): systemd applies it instead")
            }
        }
        part.items.append(item)
        return part
    }
}
