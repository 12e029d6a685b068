import Foundation
import HostFacts
import WSTTestSupport
import XCTest

@testable import Tuning

/// A minimal host tree under a temporary directory: /proc/sys keys as plain files, the conntrack module
/// parameter (nf_conntrack_buckets linked to it as the kernel links them), sysctl.d and a systemd unit.
/// Values are below the `dev` profile's needs where the test wants apply to act.
final class PlanFixture {
    let url: URL
    var root: HostRoot { HostRoot(url.path) }

    static let stock: [String: String] = [
        "fs.file-max": "100000", "fs.nr_open": "1048576", "fs.file-nr": "1000\t0\t100000",
        "net.core.somaxconn": "128", "net.core.netdev_max_backlog": "1000",
        "net.ipv4.tcp_max_syn_backlog": "256", "net.ipv4.tcp_mem": "1000\t2000\t3000",
        "net.ipv4.ip_local_port_range": "32768\t60999", "net.ipv4.ip_local_reserved_ports": "",
        "net.ipv4.tcp_tw_reuse": "2", "net.ipv4.tcp_fin_timeout": "60", "net.ipv4.tcp_keepalive_time": "7200",
        "net.ipv4.tcp_keepalive_intvl": "75", "net.ipv4.tcp_keepalive_probes": "9",
        "net.ipv4.tcp_rmem": "4096\t131072\t6291456", "net.ipv4.tcp_wmem": "4096\t16384\t4194304",
        "net.netfilter.nf_conntrack_max": "4096", "net.netfilter.nf_conntrack_count": "10",
    ]

    init(sysctls: [String: String] = [:], hashsize: Int? = 1024) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wstune-plan-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (k, v) in Self.stock.merging(sysctls, uniquingKeysWith: { $1 }) {
            try write(SysctlKey(k).procPath, v + "\n")
        }
        if let hashsize {
            try write("sys/module/nf_conntrack/parameters/hashsize", "\(hashsize)\n")
            try FileManager.default.createSymbolicLink(
                atPath: url.path + "/proc/sys/net/netfilter/nf_conntrack_buckets",
                withDestinationPath: "../../../../sys/module/nf_conntrack/parameters/hashsize")
        }
        try write("usr/lib/sysctl.d/50-default.conf", "net.ipv4.tcp_fin_timeout = 60\n")
        try FileManager.default.createDirectory(atPath: url.path + "/etc/sysctl.d", withIntermediateDirectories: true)
        try write("etc/systemd/system/chat.service", "[Unit]\nDescription=chat\n[Service]\nExecStart=/bin/true\n")
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws {
        try TreeWriter.write(relative, text, under: url, mode: mode)
    }

    func read(_ relative: String) -> String? { try? String(contentsOfFile: url.path + "/" + relative, encoding: .utf8) }
    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: url.path + "/" + relative) }
    func sysctl(_ key: String) -> String? {
        read(SysctlKey(key).procPath)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every path under the root with its type, mode and content (or link target): the oracle for "exactly".
    func snapshot() throws -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: url.path) else { return out }
        for case let rel as String in e where !rel.hasPrefix("var/lib/wstune") && rel != "var/lib" && rel != "var" {
            let p = url.path + "/" + rel
            var st = stat()
            lstat(p, &st)
            let mode = String(st.st_mode, radix: 8)
            if (st.st_mode & S_IFMT) == S_IFLNK {
                out[rel] = "link \(try fm.destinationOfSymbolicLink(atPath: p))"
            } else if (st.st_mode & S_IFMT) == S_IFDIR {
                out[rel] = "dir \(mode)"
            } else {
                out[rel] = "file \(mode) " + ((try? String(contentsOfFile: p, encoding: .utf8)) ?? "?")
            }
        }
        return out
    }

    func profile(_ connections: Int = 10_000, settings: [String: Int] = [:], proxy: Bool = false) -> Profile {
        Profile(
            name: "dev", connections: Sourced(connections, .derived), proxy: Sourced(proxy, .derived),
            listenPorts: Sourced([8080], .derived), conntrack: Sourced(.auto, .derived),
            settings: settings.mapValues { Sourced($0, .explicit(profile: "test")) })
    }

    func plan(_ profile: Profile? = nil, unit: String? = nil, user: String? = nil, exact: Bool = false) throws
        -> TuningPlan
    {
        let host = try HostSnapshot.read(root: root)
        return try PlanBuilder(
            host: host, profile: profile ?? self.profile(),
            options: ApplyOptions(liveRoot: root, unit: unit, user: user, exact: exact)
        ).build()
    }

    var store: JournalStore { JournalStore(filesRoot: root) }
    /// Where this process stands for the fixture's roots (what apply records and rollback compares).
    var target: ApplyTarget { ApplyTarget.current(liveRoot: root.path, filesRoot: root.path) }

    func item(_ plan: TuningPlan, _ id: String) throws -> PlanItem {
        try XCTUnwrap(plan.items.first { $0.id == id }, "no plan item \(id)")
    }
}
