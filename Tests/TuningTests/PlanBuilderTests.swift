import Foundation
import HostFacts
import XCTest

@testable import Tuning

final class PlanBuilderTests: XCTestCase {
    func testTargetsFollowTheNeedsAndRaiseOnlyWhatIsBelow() throws {
        let f = try PlanFixture(sysctls: ["fs.file-max": "9000000"])
        let plan = try f.plan()
        let needs = CapacityModel.needs(for: f.profile())
        let somaxconn = try f.item(plan, "net.core.somaxconn")
        XCTAssertEqual(somaxconn.action, .set)
        XCTAssertEqual(somaxconn.live, "128")
        XCTAssertEqual(somaxconn.target, String(needs.somaxconn))
        XCTAssertEqual(somaxconn.liveChange?.path, f.url.path + "/proc/sys/net/core/somaxconn")
        // fs.file-max at 9M is above the need: kept, not lowered.
        let fileMax = try f.item(plan, "fs.file-max")
        XCTAssertEqual(fileMax.action, .keep)
        XCTAssertNil(fileMax.liveChange)
        XCTAssertEqual(fileMax.target, "9000000")
        XCTAssertLessThan(needs.fileMax, 9_000_000)
        // tcp_tw_reuse 2 is fine for a server; keepalive is lowered to the need (an "at most" key).
        XCTAssertEqual(try f.item(plan, "net.ipv4.tcp_tw_reuse").action, .keep)
        XCTAssertEqual(try f.item(plan, "net.ipv4.tcp_keepalive_time").target, String(needs.keepaliveTimeSeconds))
        // tcp_mem pressure raised to the need, min and max kept monotonic.
        let mem = try XCTUnwrap(SysctlValue(try f.item(plan, "net.ipv4.tcp_mem").target ?? "").ints)
        XCTAssertEqual(mem[1], needs.tcpMemPages)
        XCTAssertTrue(mem[0] <= mem[1] && mem[1] <= mem[2])
        // conntrack: max raised, hash size to max/4, module loaded at boot because a conntrack key is persisted.
        XCTAssertEqual(try f.item(plan, "net.netfilter.nf_conntrack_max").target, String(needs.conntrackMax))
        // max/4 rounded up to whole pages of 512 bucket heads, as the kernel itself rounds.
        let buckets = ((needs.conntrackMax + 3) / 4 + 511) / 512 * 512
        XCTAssertEqual(try f.item(plan, "conntrack hashsize").target, String(buckets))
        XCTAssertTrue(plan.files.contains { $0.path.hasSuffix("etc/modules-load.d/wstune-conntrack.conf") })
        XCTAssertTrue(
            plan.files.contains {
                $0.path.hasSuffix("etc/modprobe.d/wstune-conntrack.conf")
                    && $0.contentText.contains("options nf_conntrack hashsize=\(buckets)\n")
            })
    }

    func testExactLowersValuesAboveTheNeed() throws {
        let f = try PlanFixture(sysctls: ["fs.file-max": "9000000", "net.core.somaxconn": "65535"])
        let plan = try f.plan(exact: true)
        let needs = CapacityModel.needs(for: f.profile())
        XCTAssertEqual(try f.item(plan, "fs.file-max").liveChange?.value, String(needs.fileMax))
        XCTAssertEqual(try f.item(plan, "net.core.somaxconn").liveChange?.value, String(needs.somaxconn))
    }

    func testSysctlFileHasHeaderAndAWhyCommentPerKey() throws {
        let f = try PlanFixture()
        let plan = try f.plan()
        let file = try XCTUnwrap(plan.files.first { $0.kind == "sysctl.d" })
        XCTAssertEqual(file.path, f.url.path + "/etc/sysctl.d/90-wstune.conf")
        XCTAssertNil(file.previous)
        let text = file.contentText
        XCTAssertTrue(text.contains("profile dev, target 10,000 WebSocket connections"))
        XCTAssertTrue(text.contains("# Written: "))
        let lines = text.split(separator: "\n").map(String.init)
        for (i, line) in lines.enumerated() where !line.hasPrefix("#") && line.contains(" = ") {
            XCTAssertTrue(lines[i - 1].hasPrefix("# "), "no why-comment above \(line)")
        }
        // Every persisted line parses as sysctl.d syntax (the lead's parser is the oracle).
        let parsed = try SysctlPersistence.parse(text, path: file.path)
        XCTAssertEqual(Set(parsed.map(\.key)), Set(plan.items.filter { $0.file == file.path }.map(\.id)))
    }

    func testNotPersistedWhenBootAlreadyRestoresTheTarget() throws {
        // somaxconn 4096 is the kernel default and the need: nothing to write for it.
        let f = try PlanFixture(sysctls: ["net.core.somaxconn": "4096"])
        let plan = try f.plan()
        let item = try f.item(plan, "net.core.somaxconn")
        XCTAssertEqual(item.action, .keep)
        XCTAssertNil(item.file)
        XCTAssertFalse(plan.files.first { $0.kind == "sysctl.d" }?.contentText.contains("net.core.somaxconn") ?? false)
    }

    func testWarnsNamingALaterFileThatOverridesAKey() throws {
        let f = try PlanFixture()
        try f.write("etc/sysctl.d/99-late.conf", "net.core.somaxconn = 1024\n")
        try f.write("etc/sysctl.d/10-early.conf", "net.core.somaxconn = 512\n")
        try f.write("etc/sysctl.conf", "net.ipv4.tcp_max_syn_backlog = 128\n")
        let plan = try f.plan()
        let late = plan.warnings.filter { $0.contains("99-late.conf:1") }
        XCTAssertEqual(late.count, 1, "\(plan.warnings)")
        XCTAssertTrue(late[0].contains("net.core.somaxconn = 1024") && late[0].contains("systemd-sysctl"))
        XCTAssertFalse(plan.warnings.contains { $0.contains("10-early.conf") }, "an earlier file loses to ours")
        let conf = plan.warnings.filter { $0.contains("etc/sysctl.conf:1") }
        XCTAssertEqual(conf.count, 1)
        XCTAssertTrue(conf[0].contains("`sysctl --system`") && !conf[0].contains("systemd-sysctl"))
    }

    func testReservedPortsAndPortRangeForAProxy() throws {
        let f = try PlanFixture(sysctls: [
            "net.ipv4.ip_local_port_range": "1024\t65535", "net.ipv4.ip_local_reserved_ports": "9000",
        ])
        let plan = try f.plan()
        let reserved = try f.item(plan, "net.ipv4.ip_local_reserved_ports")
        XCTAssertEqual(EphemeralPorts.parseReserved(reserved.target ?? ""), [8080, 9000])
        XCTAssertEqual(reserved.liveChange?.comparison, .portSet)

        let proxy = try PlanFixture()
        let p = try proxy.plan(proxy.profile(40_000, proxy: true))
        let range = try XCTUnwrap(SysctlValue(try proxy.item(p, "net.ipv4.ip_local_port_range").target ?? "").ints)
        let need = CapacityModel.needs(for: proxy.profile(40_000, proxy: true)).ephemeralPortsPerBackend
        XCTAssertGreaterThanOrEqual(EphemeralPorts.usable(range: range, reserved: []), need)
        XCTAssertLessThanOrEqual(range[0], 32768)
        XCTAssertEqual(try proxy.item(p, "net.ipv4.tcp_tw_reuse").target, "1", "a proxy needs tw_reuse 1")
    }

    /// Issue 19: ports bind() holds inside the range are skipped by connect() like reserved ones: the planned
    /// range is widened by them, and the reason says how many.
    func testPortRangeWidensByThePortsBindHolds() throws {
        let f = try PlanFixture(sysctls: ["net.ipv4.ip_local_port_range": "56000\t65535"])
        let profile = f.profile(8_000, proxy: true)
        let need = CapacityModel.needs(for: profile).ephemeralPortsPerBackend
        XCTAssertLessThan(need, 9536, "the live range alone is enough")
        var host = try HostSnapshot.read(root: f.root)
        let plain = try PlanBuilder(host: host, profile: profile, options: ApplyOptions(liveRoot: f.root)).build()
        let bound = Set(stride(from: 56001, through: 57999, by: 2))
        host.boundPorts = BoundPorts(boundOnly: bound)
        let held = try PlanBuilder(host: host, profile: profile, options: ApplyOptions(liveRoot: f.root)).build()
        let a = try XCTUnwrap(SysctlValue(try f.item(plain, "net.ipv4.ip_local_port_range").target ?? "").ints)
        let b = try XCTUnwrap(SysctlValue(try f.item(held, "net.ipv4.ip_local_port_range").target ?? "").ints)
        XCTAssertEqual(a, [56000, 65535], "kept without held ports")
        XCTAssertLessThan(b[0], 56000, "widened past the 1,000 held ports")
        XCTAssertGreaterThanOrEqual(EphemeralPorts.usable(range: b, reserved: bound), need)
        XCTAssertLessThan(
            EphemeralPorts.usable(range: [b[0] + 1, b[1]], reserved: bound), need, "no wider than needed")
        XCTAssertTrue(try f.item(held, "net.ipv4.ip_local_port_range").why.contains("1,000 held by bind()"))
    }

    func testUnitDropInAndLimitsForAUser() throws {
        let f = try PlanFixture()
        try f.write("etc/passwd", "chat:x:1001:1001::/home/chat:/bin/sh\n")
        try f.write("etc/group", "chat:x:1001:\n")
        let plan = try f.plan(unit: "chat", user: "chat")
        let need = CapacityModel.needs(for: f.profile()).serverNofile
        let dropIn = try XCTUnwrap(plan.files.first { $0.kind == "systemd drop-in" })
        XCTAssertEqual(dropIn.path, f.url.path + "/etc/systemd/system/chat.service.d/90-wstune.conf")
        // The built-in default hard limit 524288 is above the need: kept (soft:hard).
        XCTAssertTrue(dropIn.contentText.contains("[Service]\nLimitNOFILE=\(need):524288\n"), dropIn.contentText)
        let limits = try XCTUnwrap(plan.files.first { $0.kind == "limits.d" })
        // The login's inherited hard limit (systemd's DefaultLimitNOFILE hard, 524288) is never lowered to the need.
        XCTAssertTrue(
            limits.contentText.contains("chat soft nofile \(need)\nchat hard nofile 524288\n"), limits.contentText)
        XCTAssertFalse(limits.contentText.contains("root "), "a --user line is not a wildcard: no root line")
        XCTAssertFalse(plan.daemonReload, "systemd does not manage a fixture tree")
    }

    func testAbsentKeysAreReportedNotWritten() throws {
        let f = try PlanFixture(hashsize: nil)
        try FileManager.default.removeItem(atPath: f.url.path + "/proc/sys/net/netfilter")
        try FileManager.default.removeItem(atPath: f.url.path + "/proc/sys/net/core/netdev_max_backlog")
        let plan = try f.plan()
        XCTAssertEqual(try f.item(plan, "net.core.netdev_max_backlog").action, .absent)
        XCTAssertFalse(
            plan.items.contains { $0.id == "net.netfilter.nf_conntrack_max" }, "conntrack auto and not loaded")
        XCTAssertFalse(
            plan.liveChanges.contains { $0.key.contains("conntrack") || $0.key == "net.core.netdev_max_backlog" })
    }

    func testChildNamespaceReportsGlobalKeysAsTheHosts() throws {
        // A child namespace as the kernel shows it: tcp_mem (init_net only) missing, nf_conntrack_max read-only.
        let f = try PlanFixture()
        try FileManager.default.removeItem(atPath: f.url.path + "/proc/sys/net/ipv4/tcp_mem")
        chmod(f.url.path + "/proc/sys/net/netfilter/nf_conntrack_max", 0o444)
        let plan = try f.plan()
        for id in ["fs.file-max", "net.ipv4.tcp_mem", "net.netfilter.nf_conntrack_max", "conntrack hashsize"] {
            let item = try f.item(plan, id)
            XCTAssertEqual(item.action, .global, id)
            XCTAssertEqual(item.note, "global: set it on the host", id)
            XCTAssertNil(item.liveChange, id)
        }
        XCTAssertEqual(try f.item(plan, "net.core.somaxconn").action, .set, "per-namespace keys are set here")
        XCTAssertFalse(plan.files.contains { $0.kind == "modprobe.d" || $0.kind == "modules-load.d" })
    }

    func testLinesOfAnEarlierApplyThatThisPlanDoesNotPersistAreKept() throws {
        let f = try PlanFixture()
        try FileManager.default.removeItem(atPath: f.url.path + "/proc/sys/net/core/netdev_max_backlog")
        try f.write("etc/sysctl.d/90-wstune.conf", "net.core.netdev_max_backlog = 5000\nvm.swappiness = 10\n")
        let file = try XCTUnwrap(try f.plan().files.first { $0.kind == "sysctl.d" })
        let parsed = try SysctlPersistence.parse(file.contentText, path: file.path)
        XCTAssertEqual(parsed.first { $0.key == "net.core.netdev_max_backlog" }?.value.text, "5000", "absent now: kept")
        XCTAssertEqual(parsed.first { $0.key == "vm.swappiness" }?.value.text, "10", "not this profile's key: kept")
    }

    func testSysctlRules() {
        XCTAssertEqual(SysctlRule.atLeast(100).target(live: SysctlValue("50"), exact: false), "100")
        XCTAssertEqual(SysctlRule.atLeast(100).target(live: SysctlValue("500"), exact: false), "500")
        XCTAssertEqual(SysctlRule.atLeast(100).target(live: SysctlValue("500"), exact: true), "100")
        XCTAssertEqual(SysctlRule.atMost(120).target(live: SysctlValue("60"), exact: false), "60")
        XCTAssertEqual(SysctlRule.atMost(120).target(live: SysctlValue("7200"), exact: false), "120")
        XCTAssertEqual(
            SysctlRule.tcpMem(pressure: 4000).target(live: SysctlValue("1000 2000 3000"), exact: false),
            "3000 4000 6000")
        XCTAssertEqual(
            SysctlRule.tcpMem(pressure: 4000).target(live: SysctlValue("1000\t5000\t9000"), exact: false),
            "1000 5000 9000")
        XCTAssertEqual(
            SysctlRule.oneOf(preferred: 1, accepted: [1, 2]).target(live: SysctlValue("0"), exact: false), "1")
        XCTAssertEqual(
            SysctlRule.reservedPorts([8080]).target(live: SysctlValue("9000-9002"), exact: false), "8080,9000-9002")
        XCTAssertNil(SysctlRule.atLeast(1).target(live: SysctlValue("1 2"), exact: false))
    }
}
