import Foundation
import HostFacts
import XCTest

/// The unit resolver against the real systemd 252 in a container: for each unit written into it, `systemctl show`
/// (FragmentPath, DropInPaths, LimitNOFILE) and the started service's /proc/PID/limits are the oracles for
/// `wstune audit --root CONTAINER --unit` (files only), `wstune audit --unit` inside the container (systemctl show)
/// and `wstune lint systemd` (the same resolver).
final class SystemdResolverTests: SystemdContainerTestCase {
    override class var containerTag: String { "resolve" }

    struct AuditJSON: Decodable {
        struct Target: Decodable { var nofileSoft: Int?; var nofileHard: Int?; var origin: String? }
        struct F: Decodable {
            var id: String; var severity: String; var current: String?; var why: String?; var location: String?
        }
        var target: Target
        var findings: [F]
        var notes: [String]
    }

    struct LintJSON: Decodable {
        struct F: Decodable { var id: String; var severity: String; var current: String?; var location: String? }
        var files: [String]
        var findings: [F]
    }

    /// What systemd says about a unit it loaded and started: configured limit, fragment, drop-ins, and the limits
    /// its process really got.
    struct Oracle {
        var configured: FileLimit
        var fragment: String
        var dropIns: [String]
        var effective: (soft: Int, hard: Int)
    }

    func oracle(_ unit: String) throws -> Oracle {
        try c.systemctl("start", unit)
        let s = try c.show(unit, ["LimitNOFILE", "LimitNOFILESoft", "FragmentPath", "DropInPaths", "LoadState"])
        XCTAssertEqual(s["LoadState"], "loaded", unit)
        let got = try c.nofile(ofMainPIDOf: unit)
        try c.systemctl("stop", unit)
        return Oracle(
            configured: try XCTUnwrap(SystemctlShow.limit(s), "\(s)"), fragment: s["FragmentPath"] ?? "",
            dropIns: (s["DropInPaths"] ?? "").split(separator: " ").map(String.init),
            effective: (try XCTUnwrap(Int(got.soft)), try XCTUnwrap(Int(got.hard))))
    }

    /// A path as the host sees it, links resolved (the container's /lib is a link to /usr/lib).
    func inContainer(_ containerPath: String) -> String {
        URL(fileURLWithPath: c.root + containerPath).resolvingSymlinksInPath().path
    }

    func real(underRoot hostPath: String) -> String {
        URL(fileURLWithPath: hostPath).resolvingSymlinksInPath().path
    }

    /// Compares every view wstune has of a unit with systemd's.
    func assertAgrees(_ unit: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let o = try oracle(unit)
        // The library resolver (what audit, plan and lint share) against FragmentPath and DropInPaths.
        let resolved = try SystemdUnitResolver(root: HostRoot(c.root)).resolve(unit)
        XCTAssertEqual(
            resolved.fragment.map(real(underRoot:)), inContainer(o.fragment), "\(unit): fragment", file: file,
            line: line)
        XCTAssertEqual(
            resolved.dropIns.map(real(underRoot:)), o.dropIns.map(inContainer), "\(unit): drop-ins in systemd's order",
            file: file, line: line)
        let limits = try SystemdUnitLimits(root: HostRoot(c.root)).fromFiles(unit: unit)
        XCTAssertEqual(
            limits.limit, o.configured, "\(unit): configured LimitNOFILE (systemctl show)", file: file, line: line)

        // audit from the files (the container's tree as --root) reports what the started process got.
        let a = try TestSupport.wstune(["audit", "--root", c.root, "--unit", unit, "--profile", "dev", "--json"])
        XCTAssertTrue(
            [0, 1].contains(a.status), "\(unit): audit --root exit \(a.status): \(a.stderr)", file: file, line: line)
        guard let aj = try? JSONDecoder().decode(AuditJSON.self, from: Data(a.stdout.utf8)) else {
            return XCTFail("\(unit): audit --root printed no report: \(a.stderr)", file: file, line: line)
        }
        XCTAssertEqual(
            aj.target.nofileSoft, o.effective.soft, "\(unit): audit --root soft vs /proc/PID/limits", file: file,
            line: line)
        XCTAssertEqual(
            aj.target.nofileHard, o.effective.hard, "\(unit): audit --root hard vs /proc/PID/limits", file: file,
            line: line)

        // audit inside the container (systemctl show) agrees.
        let inside = try c.run([SystemdContainer.binaryPath, "audit", "--unit", unit, "--profile", "dev", "--json"])
        XCTAssertTrue(
            [0, 1].contains(inside.status), "\(unit): audit exit \(inside.status): \(inside.stderr)", file: file,
            line: line)
        let ij = try JSONDecoder().decode(AuditJSON.self, from: Data(inside.stdout.utf8))
        XCTAssertEqual(
            ij.target.nofileSoft, o.effective.soft, "\(unit): audit (systemctl show) soft", file: file, line: line)
        XCTAssertTrue(
            ij.target.origin?.hasPrefix("systemctl show") ?? false, "\(unit): \(ij.target.origin ?? "")", file: file,
            line: line)

        // lint names the same value: fail finding at the deciding line for a low value, or DefaultLimitNOFILE.
        let l = try TestSupport.wstune(["lint", "systemd", unit, "--root", c.root, "--profile", "dev", "--json"])
        XCTAssertTrue([0, 1].contains(l.status), "\(unit): lint exit \(l.status): \(l.stderr)", file: file, line: line)
        let lj = try JSONDecoder().decode(LintJSON.self, from: Data(l.stdout.utf8))
        let lintFail = lj.findings.first { $0.id == "systemd.limit-nofile" && $0.severity == "fail" }
        if let from = limits.origin.split(separator: ":").first, from.hasPrefix("/") {
            XCTAssertEqual(
                lintFail?.location?.split(separator: ":").first.map(String.init).map(real(underRoot:)),
                real(underRoot: String(from)),
                "\(unit): lint judges the assignment systemd uses", file: file, line: line)
        } else {
            XCTAssertTrue(
                lintFail?.current?.contains("DefaultLimitNOFILE") ?? false,
                "\(unit): lint \(lintFail.debugDescription)", file: file, line: line)
        }
    }

    func reload() throws { try c.systemctl("daemon-reload") }

    static let sleeper = "[Service]\nExecStart=/bin/sleep infinity\n"

    /// issue 15 item 3: a type-wide service.d/ drop-in (systemd ≥ 246) applies to every service; audit ignored it.
    func testTypeWideDropIn() throws {
        try c.write("/usr/lib/systemd/system/tw.service", Self.sleeper + "LimitNOFILE=15000\n")
        try c.write("/etc/systemd/system/service.d/10-limits.conf", "[Service]\nLimitNOFILE=2048\n")
        defer {
            c.remove(["/usr/lib/systemd/system/tw.service", "/etc/systemd/system/service.d"])
            try? reload()
        }
        try reload()
        try assertAgrees("tw")
    }

    /// Dash-prefix drop-ins (chat-.service.d/, chat-eu-.service.d/ for chat-eu-west), template drop-ins, a
    /// masked drop-in, and the first file of a name in the search path masking the same name lower down.
    func testDropInOrderDashPrefixesAndTemplates() throws {
        let files = [
            "/usr/lib/systemd/system/chat-eu-west.service": Self.sleeper + "LimitNOFILE=1111\n",
            "/etc/systemd/system/chat-.service.d/40-dash.conf": "[Service]\nLimitNOFILE=3333\n",
            "/etc/systemd/system/chat-eu-.service.d/45-dash.conf": "[Service]\nLimitNOFILE=4444\n",
            "/usr/lib/systemd/system/chat-eu-west.service.d/50-same.conf": "[Service]\nLimitNOFILE=5555\n",
            "/etc/systemd/system/chat-.service.d/50-same.conf": "[Service]\nLimitNOFILE=6666\n",
            "/etc/systemd/system/web@.service": Self.sleeper + "LimitNOFILE=100\n",
            "/usr/lib/systemd/system/web@b.service": Self.sleeper + "LimitNOFILE=200\n",
            "/usr/lib/systemd/system/web@.service.d/10-x.conf": "[Service]\nLimitNOFILE=300\n",
            "/etc/systemd/system/web@.service.d/10-x.conf": "[Service]\nLimitNOFILE=400\n",
            "/etc/systemd/system/web@a.service.d/20-y.conf": "[Service]\nLimitNOFILE=500\n",
            "/etc/systemd/system/web@d.service.d/30-z.conf": "[Service]\nLimitNOFILE=600\n",
        ]
        for (p, t) in files { try c.write(p, t) }
        // A drop-in linked to /dev/null masks the same name everywhere below.
        try FileManager.default.createSymbolicLink(
            atPath: c.root + "/etc/systemd/system/web@d.service.d/10-x.conf", withDestinationPath: "/dev/null")
        defer {
            c.remove(
                Array(files.keys) + [
                    "/etc/systemd/system/web@d.service.d", "/etc/systemd/system/web@a.service.d",
                    "/etc/systemd/system/web@.service.d", "/usr/lib/systemd/system/web@.service.d",
                    "/etc/systemd/system/chat-.service.d", "/etc/systemd/system/chat-eu-.service.d",
                    "/usr/lib/systemd/system/chat-eu-west.service.d",
                ])
            try? reload()
        }
        try reload()
        for u in ["chat-eu-west.service", "web@a.service", "web@b.service", "web@c.service", "web@d.service"] {
            try assertAgrees(u)
        }
    }

    /// issue 13 and 15: CRLF and lone-CR line ends, a BOM, LimitNOFILE= in [Unit]/[Install], a continuation with
    /// a comment inside it, assignments outside a section and lines without '='.
    func testSyntaxAsSystemdReadsIt() throws {
        let units = [
            "crlf": "[Service]\r\nExecStart=/bin/sleep infinity\r\nLimitNOFILE=4242\r\n",
            "cr": "[Service]\rExecStart=/bin/sleep infinity\rLimitNOFILE=4949\r",
            "bom": "\u{FEFF}[Service]\nExecStart=/bin/sleep infinity\nLimitNOFILE=4848\n",
            "sect": "[Unit]\nLimitNOFILE=9\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nLimitNOFILE=8\n",
            "cont":
                "LimitNOFILE=1\n[Service]\nExecStart=/bin/sleep infinity\nLimitNOFILE=3000\nLimitNOFILE=45\\\n# comment\n 46\n",
            "noeq": "[Service]\nExecStart=/bin/sleep infinity\nnot an assignment\n=5\nLimitNOFILE=4343\n",
        ]
        for (u, t) in units { try c.write("/etc/systemd/system/\(u).service", t) }
        defer {
            c.remove(units.keys.map { "/etc/systemd/system/\($0).service" })
            try? reload()
        }
        try reload()
        for u in units.keys.sorted() { try assertAgrees(u) }
    }

    /// LimitNOFILE= values as systemd 252 parses them (rlimit_parse): hex, octal, 0b/0o, signs, no K/M/G, soft above
    /// hard refused, an empty value ignored (not a reset), values past Int.max, overflow (used to trap).
    func testLimitValuesAsSystemdParsesThem() throws {
        let values = [
            "1K", "0x1000", "0o17", "+5", "-0", "010", "-5", "", "4096:2048", "infinity", "2048:infinity", " 300",
            "9999999999999G", "18446744073709551615", "18446744073709551614", "4096: 8192", "4096 :8192", "1000:",
            "0b101", "08", "0x", "1e3", "Infinity", "infinity:2048", "00", "99999999999999999999999",
        ]
        var paths: [String] = []
        for (i, v) in values.enumerated() {
            paths.append("/etc/systemd/system/v\(i).service")
            try c.write(paths[i], Self.sleeper + "LimitNOFILE=777\nLimitNOFILE=\(v)\n")
        }
        defer {
            c.remove(paths)
            try? reload()
        }
        try reload()
        for (i, v) in values.enumerated() {
            let shown = try c.show("v\(i).service", ["LimitNOFILE", "LimitNOFILESoft"])
            let expected = try XCTUnwrap(SystemctlShow.limit(shown))
            XCTAssertEqual(
                try SystemdUnitLimits(root: HostRoot(c.root)).fromFiles(unit: "v\(i)").limit, expected,
                "LimitNOFILE=\(v)")
            // The binary does not trap or misread: its configured origin is the line systemd used.
            let a = try TestSupport.wstune(["audit", "--root", c.root, "--unit", "v\(i)", "--profile", "dev", "--json"])
            XCTAssertTrue([0, 1].contains(a.status), "LimitNOFILE=\(v): exit \(a.status) \(a.stderr)")
            let aj = try? JSONDecoder().decode(AuditJSON.self, from: Data(a.stdout.utf8))
            let usedLine = expected == FileLimit(soft: 777, hard: 777) ? ":3" : ":4"
            XCTAssertTrue(
                aj?.target.origin?.hasSuffix(usedLine) ?? false,
                "LimitNOFILE=\(v): origin \(aj?.target.origin ?? a.stdout)")
        }
    }

    /// issue 13: a unit that does not exist is an error unless --unit-may-not-exist; a masked unit is an error;
    /// a FIFO as the unit file is refused by name, without hanging.
    func testMissingMaskedAndFifoUnits() throws {
        let missing = try TestSupport.wstune([
            "audit", "--root", c.root, "--unit", "no-such-typo-unit", "--profile", "dev",
        ])
        XCTAssertEqual(missing.status, 2, missing.stdout)
        XCTAssertTrue(missing.stderr.contains("no-such-typo-unit.service not found"), missing.stderr)
        let inside = try c.run([
            SystemdContainer.binaryPath, "audit", "--unit", "no-such-typo-unit", "--profile", "dev",
        ])
        XCTAssertEqual(inside.status, 2, inside.stdout)
        XCTAssertEqual(try c.show("no-such-typo-unit.service", ["LoadState"])["LoadState"], "not-found")
        let allowed = try TestSupport.wstune([
            "audit", "--root", c.root, "--unit", "no-such-typo-unit", "--unit-may-not-exist", "--profile", "dev",
            "--json",
        ])
        XCTAssertTrue([0, 1].contains(allowed.status), allowed.stderr)
        XCTAssertTrue(allowed.stdout.contains("does not exist yet"), allowed.stdout)

        try FileManager.default.createSymbolicLink(
            atPath: c.root + "/etc/systemd/system/masked.service", withDestinationPath: "/dev/null")
        mkfifo(c.root + "/etc/systemd/system/fifo.service", 0o644)
        defer { c.remove(["/etc/systemd/system/masked.service", "/etc/systemd/system/fifo.service"]) }
        XCTAssertEqual(try c.show("masked.service", ["LoadState"])["LoadState"], "masked")
        let masked = try TestSupport.wstune(["audit", "--root", c.root, "--unit", "masked", "--profile", "dev"])
        XCTAssertEqual(masked.status, 2, masked.stdout)
        XCTAssertTrue(masked.stderr.contains("masked"), masked.stderr)
        let fifo = try TestSupport.wstune(
            ["audit", "--root", c.root, "--unit", "fifo", "--profile", "dev"], timeoutSeconds: 20)
        XCTAssertEqual(fifo.status, 2, fifo.stdout)
        XCTAssertTrue(fifo.stderr.contains("fifo.service") && fifo.stderr.contains("FIFO"), fifo.stderr)
        let lint = try TestSupport.wstune(
            ["lint", "systemd", "fifo", "--root", c.root, "--profile", "dev"], timeoutSeconds: 20)
        XCTAssertEqual(lint.status, 2, lint.stdout)
    }
}
