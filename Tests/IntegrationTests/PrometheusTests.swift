import Foundation
import XCTest

/// wstune's Prometheus side (issue 16): metric names checked by `promtool check metrics`, the shipped alert rules
/// by `promtool check rules` / `promtool test rules`, the textfile units by systemd-analyze, the new figures
/// against /proc and `ss`, and a real Prometheus + node_exporter scraping serve's /metrics and the textfile.
final class PrometheusTests: XCTestCase {
    static let rules = TestSupport.packageRoot.appendingPathComponent("contrib/prometheus")

    func promtool(_ args: [String], input: String? = nil) throws -> CommandResult {
        try TestSupport.run(["promtool"] + args, input: input)
    }

    func assertLintClean(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertFalse(text.isEmpty, "\(what): no metrics", file: file, line: line)
        let r = try promtool(["check", "metrics"], input: text)
        // promtool prints convention problems (missing _total, non-base units, ...) and exits 1 on any.
        XCTAssertEqual(r.status, 0, "\(what): \(r.stdout)\(r.stderr)", file: file, line: line)
        XCTAssertEqual(
            (r.stdout + r.stderr).trimmingCharacters(in: .whitespacesAndNewlines), "", what, file: file, line: line)
    }

    /// The value of an unlabelled or exactly-labelled sample in the text format.
    func sample(_ text: String, _ series: String) -> Double? {
        for l in text.split(separator: "\n") where l.hasPrefix(series + " ") {
            return Double(l.dropFirst(series.count + 1))
        }
        return nil
    }

    func testPromtoolCheckMetricsOnCountAndServe() throws {
        for args in [
            ["count", "--prometheus"], ["count", "--prometheus", "--state", "all", "--port", "22", "--port", "80"],
            ["count", "--prometheus", "--remote", "--backend", "127.0.0.1:22", "--unit", "ssh"],
            ["count", "--conntrack", "--prometheus"],
        ] {
            let r = try TestSupport.wstune(args)
            XCTAssertEqual(r.status, 0, r.stderr)
            try assertLintClean(r.stdout, "wstune \(args.joined(separator: " "))")
        }
        let serve = try ServeProcess([])
        defer { serve.stop() }
        let metrics = try serve.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        try assertLintClean(metrics.body, "serve /metrics")
        // The checker is live: a counter without _total is reported.
        let bad = try promtool(
            ["check", "metrics"], input: "# HELP x_requests Requests.\n# TYPE x_requests counter\nx_requests 1\n")
        XCTAssertNotEqual(bad.status, 0, "promtool flags a counter without _total")
    }

    func testAlertRulesCheckAndUnitTests() throws {
        let check = try promtool(["check", "rules", Self.rules.appendingPathComponent("wstune-alerts.yml").path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains("5 rules found"), check.stdout)
        let test = try promtool(["test", "rules", Self.rules.appendingPathComponent("wstune-alerts.test.yml").path])
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        XCTAssertTrue(test.stdout.contains("SUCCESS"), test.stdout)
    }

    /// `--unit`: open fds and the soft limit of each process in the unit's cgroup equal what /proc states.
    func testUnitFdUsageMatchesProc() throws {
        let root = try TestSupport.temporaryDirectory("wst-16-unitfd")
        defer { try? FileManager.default.removeItem(at: root) }
        // A child with 40 extra files open and its own soft limit, listed as the unit's only process.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        child.arguments = [
            "-c",
            "import resource,time,sys;resource.setrlimit(resource.RLIMIT_NOFILE,(2000,4096));fs=[open('/dev/null') for _ in range(40)];print('up',flush=True);time.sleep(30)",
        ]
        let out = Pipe()
        child.standardOutput = out
        try child.run()
        defer { child.terminate(); child.waitUntilExit() }
        _ = out.fileHandleForReading.availableData
        let pid = child.processIdentifier
        let cg = root.appendingPathComponent("sys/fs/cgroup/system.slice/wst16.service")
        try FileManager.default.createDirectory(at: cg, withIntermediateDirectories: true)
        try "\(pid)\n".write(to: cg.appendingPathComponent("cgroup.procs"), atomically: true, encoding: .utf8)
        // /proc of the tree is the live one: the figures are the real process's.
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("proc").path, withDestinationPath: "/proc")
        let r = try TestSupport.wstune(["count", "--prometheus", "--root", root.path, "--unit", "wst16"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        XCTAssertGreaterThanOrEqual(fds, 40)
        XCTAssertEqual(
            sample(r.stdout, "wstune_unit_open_fds{unit=\"wst16.service\",pid=\"\(pid)\"}"), Double(fds), r.stdout)
        XCTAssertEqual(sample(r.stdout, "wstune_unit_fd_limit{unit=\"wst16.service\",pid=\"\(pid)\"}"), 2000, r.stdout)
        XCTAssertEqual(sample(r.stdout, "wstune_unit_processes{unit=\"wst16.service\"}"), 1)
        try assertLintClean(r.stdout, "count --unit")
        // A unit name that would leave the cgroup directory is refused.
        XCTAssertEqual(try TestSupport.wstune(["count", "--prometheus", "--unit", "../x"]).status, 64)
    }

    /// `--backend` and ListenOverflows inside a namespace: connections to one backend equal `ss`'s count; the
    /// usable ephemeral ports equal the range minus reserved ports as `sysctl -n` states them.
    func testBackendConnectionsAndEphemeralPortsMatchSsAndSysctl() throws {
        let ns = try NetNamespace("16-backend")
        defer { ns.delete() }
        try ns.sysctl("net.ipv4.ip_local_port_range", "40000 40999")
        try ns.sysctl("net.ipv4.ip_local_reserved_ports", "40100-40109")
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        peer.arguments = [
            "ip", "netns", "exec", ns.name, "python3", "-c",
            """
            import socket,time
            s=socket.socket();s.bind(('127.0.0.1',9716));s.listen(128)
            c=[socket.create_connection(('127.0.0.1',9716)) for _ in range(25)]
            a=[s.accept()[0] for _ in range(25)]
            print('up',flush=True);time.sleep(30)
            """,
        ]
        let out = Pipe()
        peer.standardOutput = out
        try peer.run()
        defer { peer.terminate(); peer.waitUntilExit() }
        _ = out.fileHandleForReading.availableData
        let r = try ns.exec([TestSupport.wstuneBinary, "count", "--prometheus", "--backend", "127.0.0.1:9716"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let ss = try ns.exec(["sh", "-c", "ss -Htn state established dst 127.0.0.1 dport = :9716 | wc -l"])
        let ssCount = Double(ss.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(ssCount, 25)
        XCTAssertEqual(sample(r.stdout, "wstune_backend_connections{backend=\"127.0.0.1:9716\"}"), ssCount, r.stdout)
        XCTAssertEqual(sample(r.stdout, "wstune_ephemeral_ports_usable"), 1000 - 10)
        let netstat = try ns.exec(["cat", "/proc/net/netstat"]).stdout.split(separator: "\n")
        let names = netstat[0].split(separator: " "), values = netstat[1].split(separator: " ")
        let overflows = names.firstIndex(of: "ListenOverflows").map { Double(values[$0]) } ?? nil
        XCTAssertEqual(sample(r.stdout, "wstune_tcp_listen_overflows_total"), overflows)
    }

    func testTextfileUnitsVerifyAndRejectUnsafeValues() throws {
        let dir = try TestSupport.temporaryDirectory("wst-16-textfile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try TestSupport.wstune([
            "textfile", "--port", "8080", "--unit", "nginx", "--backend", "10.0.0.5:8080",
            "--interval", "10", "--wstune", TestSupport.wstuneBinary, "--directory", dir.path,
            "--out-dir", dir.path, "--check",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("systemd-analyze verify: passed"), r.stderr)
        let service = try String(contentsOf: dir.appendingPathComponent("wstune-textfile.service"), encoding: .utf8)
        let timer = try String(contentsOf: dir.appendingPathComponent("wstune-textfile.timer"), encoding: .utf8)
        XCTAssertTrue(timer.contains("OnUnitActiveSec=10s"), timer)
        let exec = try XCTUnwrap(service.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        // The service's own command, run as the timer would: it writes a lint-clean textfile atomically.
        let args = exec.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        XCTAssertEqual(args.first, TestSupport.wstuneBinary)
        let run = try TestSupport.run(Array(args))
        XCTAssertEqual(run.status, 0, run.stderr)
        let prom = try String(contentsOf: dir.appendingPathComponent("wstune.prom"), encoding: .utf8)
        try assertLintClean(prom, "textfile")
        XCTAssertNotNil(sample(prom, "wstune_sockets_established_by_port{port=\"8080\",side=\"local\"}"), prom)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "no temp file left behind")
        for bad in [
            ["--directory", "/tmp/a b"], ["--unit", "x;rm"], ["--backend", "host:80"], ["--interval", "0"],
            ["--file-name", "../x.prom"], ["--wstune", "wstune"],
        ] {
            XCTAssertEqual(try TestSupport.wstune(["textfile"] + bad).status, 64, "refuses \(bad)")
        }
    }
}
