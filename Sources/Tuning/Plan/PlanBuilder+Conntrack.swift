import Foundation
import HostFacts

extension PlanBuilder {
    struct Part {
        var items: [PlanItem] = []
        var files: [FileChange] = []
        var warnings: [String] = []
        var notes: [String] = []
    }

    /// The conntrack hash size (live in /sys/module, persisted in modprobe.d) and the modules-load.d entry that
    /// loads nf_conntrack before systemd-sysctl, so persisted net.netfilter.* keys are not skipped at boot.
    func conntrackItems(ctMaxTarget: String?, persistsConntrackKey: Bool) throws -> Part {
        var part = Part()
        guard requirement.conntrackApplies(host) else { return part }
        let n = requirement.needs
        let maxTarget = ctMaxTarget.flatMap(Int.init) ?? host.int("net.netfilter.nf_conntrack_max") ?? n.conntrackMax
        let need = max(
            requirement.profile.setting("net.netfilter.nf_conntrack_buckets") ?? 0,
            maxTarget.ceilingDivided(by: CapacityModel.conntrackChainLength))
        var item = PlanItem(
            id: "conntrack hashsize", live: host.conntrack.hashsize.map(String.init), persisted: nil,
            need: "≥ \(need) (nf_conntrack_max / \(CapacityModel.conntrackChainLength))", target: nil,
            action: .keep, liveChange: nil, file: nil, fileChanged: false,
            why: "hash buckets for the conntrack table: chains longer than a few entries cost CPU per packet", note: nil
        )
        let hashsizePath = "sys/module/nf_conntrack/parameters/hashsize"
        if isChild {
            item.action = .global
            item.note = "global: set it on the host"
            part.items.append(item)
            return part
        }
        guard host.conntrack.loaded, let live = host.conntrack.hashsize else {
            item.action = .absent
            item.note = "nf_conntrack is not loaded: `modprobe nf_conntrack`, then run apply again"
            part.items.append(item)
            return part
        }
        // The kernel rounds the hash size up to whole pages of bucket heads (nf_ct_alloc_hashtable: PAGE_SIZE / 8
        // = 512 per 4 KiB page); rounding here makes the read-back equal and a second apply find nothing to do.
        let perPage = max((host.memory?.pageSize ?? 4096) / 8, 1)
        let roundedNeed = need.ceilingDivided(by: perPage).multipliedSaturated(by: perPage)
        var target = options.exact ? roundedNeed : max(live, roundedNeed)
        // --exact: never fewer buckets than the kernel picks for this memory at load.
        if options.exact, let m = host.memory, m.pageSize > 0 {
            let floor = KernelFloor.conntrackBuckets(pages: m.totalBytes / m.pageSize, pageSize: m.pageSize)
            if target < floor {
                item.note =
                    "--exact: kept at \(floor), not the need's \(target): never below the kernel default for this memory"
                target = max(floor, roundedNeed)
            }
        }
        item.target = String(target)
        let modprobePath = options.filesRoot.resolve(PersistentFiles.modprobeConf)
        let modprobeExists = options.filesRoot.exists(PersistentFiles.modprobeConf)
        item.persisted = modprobeExists ? "\(modprobePath)" : "module default at load"
        if target != live {
            let path = options.liveRoot.resolve(hashsizePath)
            item.liveChange = LiveChange(
                key: "conntrack hashsize", path: path, previous: String(live), value: String(target),
                comparison: .roundedUp)
            item.action = .set
        }
        if target != live || modprobeExists {
            let f = try fileChange(
                PersistentFiles.modprobeConf, kind: "modprobe.d",
                PersistentFiles.modprobe(
                    profile: requirement.profile.name, connections: n.connections, hashsize: target))
            item.file = f.path
            item.fileChanged = f.changed
            if item.action == .keep && f.changed { item.action = .persist }
            part.files.append(f)
        }
        part.items.append(item)

        // modules-load.d: needed when conntrack settings are persisted and nothing else loads the module at boot.
        let ownLoad = options.filesRoot.resolve(PersistentFiles.modulesLoadConf)
        let other = persistence.conntrackModulesLoad.flatMap { $0 == ownLoad ? nil : $0 }
        let wanted = persistsConntrackKey || target != live || modprobeExists
        let ownExists = options.filesRoot.exists(PersistentFiles.modulesLoadConf)
        var load = PlanItem(
            id: "nf_conntrack at boot", live: "loaded",
            persisted: persistence.conntrackModulesLoad ?? "not loaded at boot",
            need: "loaded before systemd-sysctl", target: nil, action: .keep, liveChange: nil, file: nil,
            fileChanged: false,
            why: "persisted net.netfilter.* keys are skipped at boot unless the module is loaded first", note: nil)
        if ownExists || (wanted && other == nil) {
            let f = try fileChange(
                PersistentFiles.modulesLoadConf, kind: "modules-load.d",
                PersistentFiles.modulesLoad(profile: requirement.profile.name, connections: n.connections))
            load.target = "nf_conntrack in \(f.path)"
            load.file = f.path
            load.fileChanged = f.changed
            if f.changed { load.action = .persist }
            part.files.append(f)
            part.items.append(load)
        } else if wanted {
            load.target = "loaded by \(other!)"
            part.items.append(load)
        }
        return part
    }
}
