import Foundation
import XCTest

/// Hostile and unusual input through the real binary (issue 13, 16.3): every run ends within a time bound with one
/// of the documented exit codes (0, 1, 2, 3, 4, 64) and, for bad input, a message naming the file, line or key.
/// Inputs come from Tests/Fuzz/corpus/<parser>/ (the fuzz harness replays the same files).
final class HostileInputTests: XCTestCase {
    static let documented: Set<Int32> = [0, 1, 2, 3, 4, 64]
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = try TestSupport.temporaryDirectory("wst-13a-hostile")
    }

    override func tearDownWithError() throws {
        if let tmp { try? FileManager.default.removeItem(at: tmp) }
    }

    static var corpus: URL { TestSupport.packageRoot.appendingPathComponent("Tests/Fuzz/corpus") }

    func corpusText(_ relative: String) throws -> String {
        try String(contentsOf: Self.corpus.appendingPathComponent(relative), encoding: .utf8)
    }

    /// A copy of the stock Debian fixture tree to spoil.
    func stockRoot(_ name: String = "root") throws -> URL {
        let dst = tmp.appendingPathComponent(name)
        let r = try TestSupport.run([
            "cp", "-a", TestSupport.fixtures.appendingPathComponent("debian12-stock").path, dst.path,
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        return dst
    }

    func write(_ text: String, _ relative: String, under root: URL) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: url)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    /// Runs wstune bounded in time; asserts it ended (no hang), with a documented code (no trap).
    @discardableResult
    func wstune(_ args: [String], seconds: Double = 20, file: StaticString = #filePath, line: UInt = #line) throws
        -> CommandResult
    {
        let start = Date()
        let r = try TestSupport.wstune(args, environment: ["SWIFT_BACKTRACE": "enable=no"], timeoutSeconds: seconds)
        let took = Date().timeIntervalSince(start)
        XCTAssertLessThan(
            took, seconds, "wstune \(args.joined(separator: " ")) did not finish in \(seconds) s", file: file,
            line: line)
        XCTAssertTrue(
            Self.documented.contains(r.status),
            "exit \(r.status) is not a documented code; stderr: \(r.stderr.prefix(300))", file: file, line: line)
        return r
    }

    /// Runs `wstune ARGS` under sh with a redirection and returns sh's view of the exit status (128+N for a signal).
    func shellStatus(_ args: [String], redirect: String) throws -> (status: Int32, stderr: String) {
        let script = "\"$0\" \"$@\" \(redirect); echo \"rc=$?\""
        let r = try TestSupport.run(
            ["sh", "-c", script, TestSupport.wstuneBinary] + args,
            environment: ["SWIFT_BACKTRACE": "enable=no"], timeoutSeconds: 30)
        let rc = r.stdout.split(separator: "\n").last { $0.hasPrefix("rc=") }.flatMap { Int32($0.dropFirst(3)) } ?? -1
        return (rc, r.stderr)
    }

    // MARK: 1, 4: only regular files, CR LF, no hang

    func testCRLFSysctlDReadsLikeLF() throws {
        let crlf = try stockRoot("crlf"), lf = try stockRoot("lf")
        let text = try corpusText("sysctl-d/crlf.conf")
        try write(text, "etc/sysctl.d/60-crlf.conf", under: crlf)
        try write(text.replacingOccurrences(of: "\r\n", with: "\n"), "etc/sysctl.d/60-crlf.conf", under: lf)
        let a = try wstune(["audit", "--root", crlf.path, "--json", "--verbose"])
        let b = try wstune(["audit", "--root", lf.path, "--json", "--verbose"])
        XCTAssertFalse(a.stdout.isEmpty)
        // The LF file is the oracle: the same values, attributed to the same lines.
        XCTAssertEqual(
            a.stdout.replacingOccurrences(of: crlf.path, with: "ROOT"),
            b.stdout.replacingOccurrences(of: lf.path, with: "ROOT"))
        XCTAssertTrue(a.stdout.contains("60-crlf.conf"), "the CR LF file's assignments are seen")
    }

    func testFIFOInSysctlDIsRefusedByName() throws {
        let root = try stockRoot()
        let fifo = root.appendingPathComponent("etc/sysctl.d/70-fifo.conf").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let r = try wstune(["audit", "--root", root.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("70-fifo.conf") && r.stderr.contains("FIFO"), r.stderr)
    }

    func testFIFOInLimitsDIsRefusedByName() throws {
        let root = try stockRoot()
        let dir = root.appendingPathComponent("etc/security/limits.d")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("80-fifo.conf").path, 0o644), 0)
        let r = try wstune(["audit", "--root", root.path, "--user", "alice"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("80-fifo.conf") && r.stderr.contains("FIFO"), r.stderr)
    }

    func testSymlinkToDevZeroIsRefused() throws {
        let root = try stockRoot()
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("etc/sysctl.d/71-zero.conf").path,
            withDestinationPath: "/dev/zero")
        let r = try wstune(["audit", "--root", root.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("71-zero.conf") && r.stderr.contains("character device"), r.stderr)
    }

    func testSymlinkLoopInSysctlDEndsWithError() throws {
        let root = try stockRoot()
        let a = root.appendingPathComponent("etc/sysctl.d/72-a.conf").path
        let b = root.appendingPathComponent("etc/sysctl.d/72-b.conf").path
        try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: b)
        try FileManager.default.createSymbolicLink(atPath: b, withDestinationPath: a)
        let r = try wstune(["audit", "--root", root.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("72-a.conf"), r.stderr)
    }

    /// systemd masks a vendor file with a same-named link to /dev/null: that must keep working (reads as empty).
    func testDevNullMaskStillMasks() throws {
        let root = try stockRoot()
        try write("net.core.somaxconn = 17\n", "usr/lib/sysctl.d/73-vendor.conf", under: root)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc/sysctl.d"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("etc/sysctl.d/73-vendor.conf").path,
            withDestinationPath: "/dev/null")
        let r = try wstune(["audit", "--root", root.path, "--json", "--verbose"])
        XCTAssertTrue(r.status == 0 || r.status == 1, r.stderr)
        XCTAssertFalse(r.stdout.contains("73-vendor.conf"), "the masked file's assignment must not count")
    }

    func testHugeReservedPortsRangeIsFast() throws {
        let root = try stockRoot()
        try write(
            try corpusText("sysctl-value/ip_local_reserved_ports-int-max"), "proc/sys/net/ipv4/ip_local_reserved_ports",
            under: root)
        // The proxy profile judges the ephemeral range, which subtracts the reserved ports.
        let r = try wstune(["audit", "--root", root.path, "--profile", "proxy", "--json"], seconds: 10)
        XCTAssertTrue(r.status == 0 || r.status == 1, r.stderr)
        XCTAssertTrue(r.stdout.contains("ports.ephemeral-range"))
    }

    /// Every lint fixture (nginx, HAProxy, systemd; passing and triggering) lints the same with CR LF line ends:
    /// they are all read through the one reader. The LF file is the oracle.
    func testCRLFConfigsLintLikeLF() throws {
        let lint = TestSupport.fixtures.appendingPathComponent("lint")
        var compared = 0
        for (kind, ext) in [("nginx", ".conf"), ("haproxy", ".cfg"), ("systemd", ".service")] {
            let names = try FileManager.default.contentsOfDirectory(atPath: lint.appendingPathComponent(kind).path)
                .filter { $0.hasSuffix(ext) && !$0.contains("include") }.sorted()
            for name in names {
                let text = try String(contentsOf: lint.appendingPathComponent("\(kind)/\(name)"), encoding: .utf8)
                let lf = tmp.appendingPathComponent("lf-\(kind)/\(name)"),
                    crlf = tmp.appendingPathComponent("crlf-\(kind)/\(name)")
                try write(text, "lf-\(kind)/\(name)", under: tmp)
                try write(text.replacingOccurrences(of: "\n", with: "\r\n"), "crlf-\(kind)/\(name)", under: tmp)
                let a = try wstune(["lint", kind, lf.path, "--json"])
                let b = try wstune(["lint", kind, crlf.path, "--json"])
                XCTAssertEqual(a.status, b.status, name)
                XCTAssertEqual(a.stdout, b.stdout.replacingOccurrences(of: "crlf-\(kind)", with: "lf-\(kind)"), name)
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 10)
    }

    // MARK: 2: arithmetic

    func testConnectionsAboveMaximumIsAUsageError() throws {
        let r = try wstune(["plan", "--connections", "9223372036854775807"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--connections") && r.stderr.contains("100,000,000"), r.stderr)
    }

    func testProfileConnectionsAboveMaximumNamesFileLineKey() throws {
        let p = tmp.appendingPathComponent("huge.yaml")
        try write(try corpusText("profile/connections-int-max.yaml"), "huge.yaml", under: tmp)
        let r = try wstune(["plan", "--profile", p.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("huge.yaml:1: connections:"), r.stderr)
    }

    func testProfileSettingsNear2To62() throws {
        try write(try corpusText("profile/settings-2p62.yaml"), "big.yaml", under: tmp)
        let r = try wstune(["plan", "--profile", tmp.appendingPathComponent("big.yaml").path])
        // somaxconn above INT_MAX is refused by name; fs.file-max (a long) is not the error.
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("big.yaml:4: settings.net.core.somaxconn"), r.stderr)
        let ok =
            "connections: 1000\nsettings:\n  fs.file-max: 4611686018427387904\n  net.netfilter.nf_conntrack_max: 2147483647\n"
        try write(ok, "ok.yaml", under: tmp)
        for cmd in ["plan", "audit"] {
            let r2 = try wstune([
                cmd, "--profile", tmp.appendingPathComponent("ok.yaml").path, "--root", try stockRoot(cmd).path,
            ])
            XCTAssertTrue(r2.status == 0 || r2.status == 1, "\(cmd): \(r2.stderr)")
        }
    }

    func testHostValuesNearIntMaxDoNotTrap() throws {
        let root = try stockRoot()
        try write(try corpusText("sysctl-value/file-nr-int-max"), "proc/sys/fs/file-nr", under: root)
        try write(try corpusText("sysctl-value/tcp_mem-int-max"), "proc/sys/net/ipv4/tcp_mem", under: root)
        try write(try corpusText("sysctl-value/tcp_rmem-int-max"), "proc/sys/net/ipv4/tcp_rmem", under: root)
        try write(try corpusText("sysctl-value/tcp_rmem-int-max"), "proc/sys/net/ipv4/tcp_wmem", under: root)
        try write("9223372036854775807\n", "proc/sys/fs/file-max", under: root)
        try write("9223372036854775807\n", "proc/sys/net/netfilter/nf_conntrack_max", under: root)
        try write(try corpusText("proc-net/netstat-crlf-int-max"), "proc/net/netstat", under: root)
        for profile in ["dev", "proxy", "gateway-1m"] {
            for cmd in ["plan", "audit"] {
                let r = try wstune([cmd, "--root", root.path, "--profile", profile, "--json"])
                XCTAssertTrue(r.status == 0 || r.status == 1, "\(cmd) \(profile): \(r.status) \(r.stderr)")
            }
        }
        try write(try corpusText("sysctl-value/file-nr-int-min"), "proc/sys/fs/file-nr", under: root)
        let r = try wstune(["plan", "--root", root.path, "--profile", "proxy"])
        XCTAssertTrue(r.status == 0 || r.status == 1, r.stderr)
    }

    func testNofileNearIntMax() throws {
        let root = try stockRoot()
        try write(try corpusText("limits-conf/nofile-int-max.conf"), "etc/security/limits.d/90-big.conf", under: root)
        try write(try corpusText("proc-limits/nofile-int-max"), "proc/self/limits", under: root)
        try write("9223372036854775807\n", "proc/sys/fs/nr_open", under: root)
        for profile in ["dev", "proxy"] {
            let r = try wstune(["audit", "--root", root.path, "--user", "alice", "--profile", profile])
            XCTAssertTrue(r.status == 0 || r.status == 1, r.stderr)
        }
        try write(
            try corpusText("limits-conf/nofile-beyond-int.conf"), "etc/security/limits.d/90-big.conf", under: root)
        let r = try wstune(["audit", "--root", root.path, "--user", "alice"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("90-big.conf:1:") && r.stderr.contains("nofile"), r.stderr)
        // CR LF in /proc/self/limits (a copied tree) reads like LF: the soft limit 2,048 is seen.
        try write(try corpusText("proc-limits/crlf"), "proc/self/limits", under: root)
        try write("1048576\n", "proc/sys/fs/nr_open", under: root)
        let crlf = try wstune(["audit", "--root", root.path, "--json"])
        XCTAssertTrue(crlf.stdout.contains("\"nofileSoft\" : 2048"), crlf.stdout.prefix(600).description)
    }

    func testMeminfoNearIntMaxNamesFileLineKey() throws {
        let root = try stockRoot()
        try write(try corpusText("meminfo/memtotal-int-max"), "proc/meminfo", under: root)
        let r = try wstune(["audit", "--root", root.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("proc/meminfo:1: MemTotal"), r.stderr)
    }

    // MARK: 3, 7: profiles

    func testIncludeChainOf4000IsRefusedWithoutCrash() throws {
        let dir = tmp.appendingPathComponent("chain")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try write("connections: 1000\n", "chain/p0.yaml", under: tmp)
        let made = try TestSupport.run([
            "sh", "-c",
            "cd \"$0\" && i=1; while [ $i -lt 4000 ]; do echo \"include: p$((i - 1))\" > p$i.yaml; i=$((i + 1)); done",
            dir.path,
        ])
        XCTAssertEqual(made.status, 0, made.stderr)
        let r = try wstune(["plan", "--profile", dir.appendingPathComponent("p3999.yaml").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("include") && r.stderr.contains("32"), r.stderr)
        // A chain within the cap still resolves.
        let ok = try wstune(["profiles", "show", dir.appendingPathComponent("p20.yaml").path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func testProfileThatIsAFIFOIsRefused() throws {
        let p = tmp.appendingPathComponent("fifo.yaml").path
        XCTAssertEqual(mkfifo(p, 0o644), 0)
        let r = try wstune(["plan", "--profile", p])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("fifo.yaml") && r.stderr.contains("FIFO"), r.stderr)
    }

    func testYAMLDuplicateKeyAndUndefinedAliasGiveTheRealLine() throws {
        try write(try corpusText("profile/duplicate-key.yaml"), "dup.yaml", under: tmp)
        try write(try corpusText("profile/undefined-alias.yaml"), "alias.yaml", under: tmp)
        let dup = try wstune(["plan", "--profile", tmp.appendingPathComponent("dup.yaml").path])
        XCTAssertEqual(dup.status, 2)
        XCTAssertTrue(dup.stderr.contains("dup.yaml:3:") && dup.stderr.contains("connections"), dup.stderr)
        let alias = try wstune(["plan", "--profile", tmp.appendingPathComponent("alias.yaml").path])
        XCTAssertEqual(alias.status, 2)
        XCTAssertTrue(alias.stderr.contains("alias.yaml:2:") && alias.stderr.contains("alias"), alias.stderr)
    }

    // MARK: 5: output errors

    func testJSONToDevFullIsExit2WithMessage() throws {
        let r = try shellStatus(["audit", "--json"], redirect: ">/dev/full")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("standard output") && r.stderr.contains("No space left"), r.stderr)
    }

    func testTextToDevFullIsExit2() throws {
        let r = try shellStatus(["audit"], redirect: ">/dev/full")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("No space left"), r.stderr)
        let plan = try shellStatus(["plan"], redirect: ">/dev/full")
        XCTAssertEqual(plan.status, 2, plan.stderr)
    }

    /// `count --live --json` wrote each line with FileHandle.write, which traps (SIGILL) on ENOSPC; through the
    /// command context it is exit 2 with the message, like every other command.
    func testLiveCountJSONToDevFullIsExit2NotATrap() throws {
        let r = try shellStatus(["count", "--live", "--json", "--iterations", "1"], redirect: ">/dev/full")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("standard output") && r.stderr.contains("No space left"), r.stderr)
    }

    func testClosedStandardErrorIsExit2NotATrap() throws {
        let r = try shellStatus(["audit", "--profile", "no-such-profile"], redirect: "2>&-")
        XCTAssertEqual(r.status, 2)
        // Nothing to say, nothing written: a clean run with stderr closed is still fine.
        let ok = try shellStatus(
            ["audit", "--root", TestSupport.fixtures.appendingPathComponent("tuned-1m").path],
            redirect: "2>&- >/dev/null")
        XCTAssertTrue(ok.status == 0 || ok.status == 1, "\(ok.status)")
    }

    // MARK: 6, 8: exit codes in one place, missing inputs

    func testEveryErrorKindEndsWith2() throws {
        let root = try stockRoot()
        try write("this line has no equals sign\n", "etc/sysctl.d/74-bad.conf", under: root)
        let bad = try wstune(["audit", "--root", root.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("74-bad.conf:1:"), bad.stderr)

        let dirRoot = try stockRoot("dir")
        try FileManager.default.createDirectory(
            at: dirRoot.appendingPathComponent("etc/sysctl.d/75-dir.conf"), withIntermediateDirectories: true)
        let dir = try wstune(["plan", "--root", dirRoot.path])
        XCTAssertEqual(dir.status, 2)
        XCTAssertTrue(dir.stderr.contains("75-dir.conf") && dir.stderr.contains("directory"), dir.stderr)

        // Unreadable (as root nothing is EACCES; /proc/self/mem answers EIO at offset 0): the errno is named.
        let eioRoot = try stockRoot("eio")
        try FileManager.default.createSymbolicLink(
            atPath: eioRoot.appendingPathComponent("etc/sysctl.d/76-mem.conf").path,
            withDestinationPath: "/proc/self/mem")
        let eio = try wstune(["audit", "--root", eioRoot.path])
        XCTAssertEqual(eio.status, 2)
        XCTAssertTrue(eio.stderr.contains("76-mem.conf: cannot read: Input/output error"), eio.stderr)

        let missing = try wstune(["audit", "--profile", "no-such-profile"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no-such-profile"), missing.stderr)

        try write("connections: [1, 2\n", "syntax.yaml", under: tmp)
        let syntax = try wstune(["audit", "--profile", tmp.appendingPathComponent("syntax.yaml").path])
        XCTAssertEqual(syntax.status, 2)
        XCTAssertTrue(syntax.stderr.contains("syntax.yaml:"), syntax.stderr)

        let big = tmp.appendingPathComponent("big.yaml")
        XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: Data(count: 17 * 1024 * 1024)))
        let large = try wstune(["plan", "--profile", big.path])
        XCTAssertEqual(large.status, 2)
        XCTAssertTrue(large.stderr.contains("big.yaml") && large.stderr.contains("16 MiB"), large.stderr)
    }

    func testRootWithoutKernelFilesIsExit2NamingThem() throws {
        let etcOnly = tmp.appendingPathComponent("etc-only")
        try write("net.core.somaxconn = 4096\n", "etc-only/etc/sysctl.d/10-a.conf", under: tmp)
        for cmd in ["audit", "plan"] {
            let r = try wstune([cmd, "--root", etcOnly.path])
            XCTAssertEqual(r.status, 2, "\(cmd): \(r.stdout)")
            XCTAssertTrue(r.stderr.contains("/proc/sys/fs/file-max"), r.stderr)
            XCTAssertFalse(r.stdout.contains("READY"))
        }
    }

    func testUnknownUserIsAnError() throws {
        let r = try wstune(["audit", "--user", "wst13a-no-such-user"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("wst13a-no-such-user"), r.stderr)
        let fixture = TestSupport.fixtures.appendingPathComponent("unit-low-nofile").path
        let f = try wstune(["audit", "--root", fixture, "--user", "nosuchuser"])
        XCTAssertEqual(f.status, 2)
        XCTAssertTrue(f.stderr.contains("nosuchuser") && f.stderr.contains("etc/passwd"), f.stderr)
        // The oracle for "exists": getent (NSS) knows root, and so does audit.
        XCTAssertEqual(try TestSupport.run(["getent", "passwd", "root"]).status, 0)
        let ok = try wstune(["audit", "--user", "root"])
        XCTAssertTrue(ok.status == 0 || ok.status == 1, ok.stderr)
    }
}
