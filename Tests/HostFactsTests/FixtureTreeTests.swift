import XCTest

@testable import HostFacts

final class FixtureTreeTests: XCTestCase {
    func testStockTreeReadsEveryKey() throws {
        let host = try HostSnapshot.read(root: FixtureRoots.root("debian12-stock"))
        XCTAssertEqual(host.sysctls.count, SysctlKey.all.count)
        XCTAssertEqual(host.ints("net.ipv4.ip_local_port_range"), [32768, 60999])
        XCTAssertEqual(host.sysctl("net.ipv4.ip_local_reserved_ports")?.text, "")
        XCTAssertEqual(host.fileLimit, FileLimit(soft: 1024, hard: 524288))
        XCTAssertEqual(host.canRaiseHardLimit, false)
        XCTAssertEqual(host.listenPorts, [8080])
        XCTAssertTrue(host.conntrack.loaded)
        XCTAssertEqual(host.conntrack.hashsize, 262144)
        XCTAssertFalse(host.namespace.isChild)
        XCTAssertEqual(host.memory?.cpus, 2)
    }

    func testNoConntrackIsAbsentNotAnError() throws {
        let host = try HostSnapshot.read(root: FixtureRoots.root("no-conntrack"))
        XCTAssertFalse(host.conntrack.loaded)
        XCTAssertNil(host.sysctl("net.netfilter.nf_conntrack_max"))
    }

    func testUnitLimitFollowsDropInOrder() throws {
        // 10-limit.conf (etc, 4096) sorts before 20-vendor.conf (lib, 200000): the later file wins.
        let r = try SystemdUnitLimits(root: FixtureRoots.root("unit-low-nofile")).fromFiles(unit: "chat.service")
        XCTAssertEqual(r.limit, FileLimit(soft: 200000, hard: 200000))
        XCTAssertTrue(r.origin.hasSuffix("lib/systemd/system/chat.service.d/20-vendor.conf:2"), r.origin)
        XCTAssertEqual(r.dropIns.count, 2)
        let inst = try SystemdUnitLimits(root: FixtureRoots.root("unit-low-nofile")).fromFiles(
            unit: "chat@8080.service")
        XCTAssertNil(inst.unitFile)
        XCTAssertEqual(inst.limit, SystemdUnitLimits.builtinDefault)
    }

    func testLowDropInOverridesTheUnitFile() throws {
        let r = try SystemdUnitLimits(root: FixtureRoots.root("unit-low-nofile")).fromFiles(unit: "ws.service")
        XCTAssertEqual(r.limit, FileLimit(soft: 4096, hard: 4096))
        XCTAssertTrue(r.origin.hasSuffix("etc/systemd/system/ws.service.d/override.conf:2"), r.origin)
        XCTAssertTrue(r.unitFile?.hasSuffix("lib/systemd/system/ws.service") ?? false)
    }

    func testUnitWithoutLimitUsesDefaultLimitNOFILE() throws {
        let r = try SystemdUnitLimits(root: FixtureRoots.root("debian12-stock")).fromFiles(unit: "nothing.service")
        XCTAssertEqual(r.limit, FileLimit(soft: 1024, hard: 524288))
        XCTAssertTrue(r.origin.contains("built-in"))
    }

    func testPersistenceOrdersDiffer() throws {
        let p = try SysctlPersistence.read(root: FixtureRoots.root("drift"))
        // 10-web.conf (etc) then 30-vendor.conf (usr/lib): file-name order across directories, last wins.
        XCTAssertEqual(p.winner("net.core.somaxconn", order: .systemd)?.value.text, "2048")
        XCTAssertEqual(p.assignments("net.core.somaxconn", order: .systemd).count, 2)
        // /etc/sysctl.conf is applied by procps only.
        XCTAssertNil(p.winner("net.ipv4.tcp_tw_reuse", order: .systemd))
        XCTAssertEqual(p.winner("net.ipv4.tcp_tw_reuse", order: .procps)?.value.text, "0")
        XCTAssertNil(p.conntrackModulesLoad)
        let tuned = try SysctlPersistence.read(root: FixtureRoots.root("tuned-1m"))
        XCTAssertNotNil(tuned.conntrackModulesLoad)
    }

    func testSameFileNameInEarlierDirectoryMasksLater() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wst-mask-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (rel, text) in [
            ("etc/sysctl.d/50-x.conf", "net.core.somaxconn = 111\n"),
            ("usr/lib/sysctl.d/50-x.conf", "net.core.somaxconn = 222\n"),
        ] {
            let url = dir.appendingPathComponent(rel)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let p = try SysctlPersistence.read(root: HostRoot(dir.path))
        XCTAssertEqual(p.assignments("net.core.somaxconn", order: .systemd).map(\.value.text), ["111"])
    }

    func testChildNamespaceScopesDetectedFromTree() throws {
        // git does not keep the read-only mode the kernel shows for this key in a child namespace: restore it.
        let key = FixtureRoots.root("child-netns").resolve("proc/sys/net/netfilter/nf_conntrack_max")
        XCTAssertEqual(chmod(key, 0o444), 0)
        let host = try HostSnapshot.read(root: FixtureRoots.root("child-netns"))
        XCTAssertTrue(host.namespace.isChild)
        XCTAssertEqual(host.scopes["net.ipv4.tcp_mem"], .global)  // absent here
        XCTAssertEqual(host.scopes["net.netfilter.nf_conntrack_max"], .global)  // read-only here
        XCTAssertEqual(host.scopes["net.core.somaxconn"], .perNamespace)
        XCTAssertEqual(host.scopes["fs.file-max"], .global)
    }

    func testMalformedFilesNameFileAndLine() {
        XCTAssertThrowsError(try HostSnapshot.read(root: FixtureRoots.root("malformed"))) { e in
            guard case .malformed(let path, let line, _)? = e as? HostFactsError else { return XCTFail("\(e)") }
            XCTAssertTrue(path.hasSuffix("malformed/proc/self/limits"), path)
            XCTAssertEqual(line, 2)
        }
        XCTAssertThrowsError(try SysctlPersistence.read(root: FixtureRoots.root("malformed"))) { e in
            XCTAssertEqual(
                (e as? HostFactsError).map { "\($0)" }?.hasSuffix("20-bad.conf:2: expected 'key = value'"), true)
        }
    }

    func testUnknownPidIsAnError() {
        XCTAssertThrowsError(
            try HostSnapshot.read(root: FixtureRoots.root("debian12-stock"), options: .init(target: .pid(999_999))))
    }
}
