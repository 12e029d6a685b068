import XCTest

@testable import HostFacts

final class ParserTests: XCTestCase {
    func testProcessLimitsParsesSoftHardAndUnlimited() throws {
        let text =
            "Limit Soft Limit Hard Limit Units\nMax open files            1024                 unlimited            files\n"
        XCTAssertEqual(try ProcessLimits.parseNofile(text), FileLimit(soft: 1024, hard: nil))
        XCTAssertEqual(FileLimit(soft: 1024, hard: nil).resolved(nrOpen: 1_048_576).hard, 1_048_576)
    }

    func testProcessLimitsMalformedNamesFileAndLine() {
        XCTAssertThrowsError(try ProcessLimits.parseNofile("a\nMax open files lots 10 files\n", path: "/x/limits")) {
            e in
            XCTAssertEqual(e as? HostFactsError, .malformed(path: "/x/limits", line: 2, reason: "not a number: lots"))
        }
    }

    func testCapabilityBit24() {
        XCTAssertEqual(ProcessLimits.parseCapability("CapEff:\t0000000001000000\n", bit: 24), true)
        XCTAssertEqual(ProcessLimits.parseCapability("CapEff:\t00000000a80425fb\n", bit: 24), false)
        XCTAssertNil(ProcessLimits.parseCapability("Name: x\n", bit: 24))
    }

    func testLimitsConfPrecedenceUserOverGroupOverStar() throws {
        let text = """
            *        soft nofile 2048
            *        hard nofile 4096
            @wsops   soft nofile 50000
            @wsops   hard nofile 60000
            alice    soft nofile 70000
            bob      -    nofile unlimited
            """
        let conf = LimitsConf(entries: try LimitsConf.parse(text, path: "l"), files: ["l"])
        let alice = conf.nofile(user: "alice", groups: ["wsops"])
        XCTAssertEqual(alice.limit, FileLimit(soft: 70000, hard: 60000))
        XCTAssertEqual(alice.soft?.line, 5)
        XCTAssertEqual(conf.nofile(user: "carol", groups: ["wsops"]).limit, FileLimit(soft: 50000, hard: 60000))
        XCTAssertEqual(conf.nofile(user: "dave", groups: []).limit, FileLimit(soft: 2048, hard: 4096))
        XCTAssertEqual(conf.nofile(user: "bob", groups: []).limit, FileLimit(soft: nil, hard: nil))
    }

    func testLimitsConfLaterLineWinsAtEqualPrecedence() throws {
        let conf = LimitsConf(
            entries: try LimitsConf.parse("* soft nofile 10\n* soft nofile 20\n", path: "l"), files: [])
        XCTAssertEqual(conf.nofile(user: "x", groups: []).limit.soft, 20)
    }

    func testLimitsConfMalformed() {
        XCTAssertThrowsError(try LimitsConf.parse("* soft nofile\n", path: "/etc/security/limits.conf")) { e in
            guard case .malformed(let p, let l, _)? = e as? HostFactsError else { return XCTFail("\(e)") }
            XCTAssertEqual(p, "/etc/security/limits.conf")
            XCTAssertEqual(l, 1)
        }
        XCTAssertThrowsError(try LimitsConf.parse("* soft nofile many\n", path: "f"))
    }

    func testLimitsConfGroupsFromPasswdAndGroup() throws {
        let groups = try LimitsConf.groups(of: "alice", root: FixtureRoots.root("unit-low-nofile"))
        XCTAssertEqual(groups, ["alice", "wsops"])
    }

    func testSysctlDParse() throws {
        let a = try SysctlPersistence.parse(
            "# c\n; c\nnet/core/somaxconn=1024\n-net.ipv4.tcp_tw_reuse = 1\n\n", path: "f")
        XCTAssertEqual(a.map(\.key), ["net.core.somaxconn", "net.ipv4.tcp_tw_reuse"])
        XCTAssertEqual(a[0].value.text, "1024")
        XCTAssertEqual(a[1].ignoreErrors, true)
        XCTAssertEqual(a[1].line, 4)
        XCTAssertThrowsError(try SysctlPersistence.parse("net.core.somaxconn 10\n", path: "/etc/sysctl.d/x.conf")) {
            e in
            XCTAssertEqual(
                e as? HostFactsError,
                .malformed(path: "/etc/sysctl.d/x.conf", line: 1, reason: "expected 'key = value'"))
        }
    }

    func testKernelCountersPairs() throws {
        let c = try KernelCounters.parsePairs("TcpExt: A ListenOverflows\nTcpExt: 1 7\nIp: X\nIp: 2\n", path: "n")
        XCTAssertEqual(c["TcpExt.ListenOverflows"], 7)
        XCTAssertEqual(c["Ip.X"], 2)
        XCTAssertThrowsError(try KernelCounters.parsePairs("TcpExt: A B\nTcpExt: 1\n", path: "/proc/net/netstat"))
        XCTAssertEqual(KernelCounters.parseSockstat("TCP: inuse 5 orphan 0 tw 2 alloc 8 mem 1\n")["TCP.tw"], 2)
    }

    func testConntrackStatsSumOverCpusButNotEntries() throws {
        let text = "entries drop insert_failed\n0000000c 00000002 00000001\n0000000c 00000003 00000000\n"
        let s = try ConntrackFacts.parseStats(text, path: "s")
        XCTAssertEqual(s["entries"], 12)
        XCTAssertEqual(s["drop"], 5)
        XCTAssertEqual(s["insert_failed"], 1)
    }

    func testListenersFromProcNetTcp() {
        let text = """
              sl  local_address rem_address   st
               0: 00000000:1F90 00000000:0000 0A 0
               1: 0100007F:1F91 0100007F:D431 01 0
            """
        XCTAssertEqual(Listeners.parse(text), [8080])
    }

    func testSystemdLimitValues() {
        XCTAssertEqual(SystemdUnitLimits.parseLimitValue("65536"), FileLimit(soft: 65536, hard: 65536))
        XCTAssertEqual(SystemdUnitLimits.parseLimitValue("1024:524288"), FileLimit(soft: 1024, hard: 524288))
        XCTAssertEqual(SystemdUnitLimits.parseLimitValue("infinity"), FileLimit(soft: nil, hard: nil))
        // systemd 252 refuses K/M/G for LimitNOFILE (rlimit_parse_u64; checked in SystemdResolverTests).
        XCTAssertNil(SystemdUnitLimits.parseLimitValue("1K"))
        XCTAssertNil(SystemdUnitLimits.parseLimitValue("lots"))
    }

    func testMeminfo() throws {
        let m = try MemoryInfo.parse("MemTotal: 1000 kB\nMemAvailable: 500 kB\n")
        XCTAssertEqual(m.totalBytes, 1_024_000)
        XCTAssertEqual(m.availableBytes, 512_000)
    }
}
