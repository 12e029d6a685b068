import Foundation
import HostFacts
import WSTTestSupport
import XCTest

@testable import wstune

/// Whole subcommands run in-process (`WSTune.run(_:in:)`) against the fixture trees with a fixed clock,
/// environment and CPU count, their standard output and error captured, compared byte for byte with
/// Tests/Golden/<case>.txt (the command line, the exit status, then both streams; checkout and temporary paths
/// are written as <fixtures>, <checkout> and <root>).
///
/// To regenerate after an intended change of output: `WSTUNE_UPDATE_GOLDEN=1 swift test --skip-build
/// --disable-swift-testing --filter GoldenOutputTests`, then read `git diff Tests/Golden` line by line before
/// committing: a golden file is only as right as its review. The exit status of each case is also asserted here,
/// so regenerating cannot change it unnoticed.
final class GoldenOutputTests: XCTestCase {
    static let goldenDirectory = FixturePaths.packageRoot.appendingPathComponent("Tests/Golden")
    static var updating: Bool { ProcessInfo.processInfo.environment["WSTUNE_UPDATE_GOLDEN"] == "1" }
    /// 2026-05-28 20:26:40 UTC: the stamp apply writes into the sysctl.d header.
    static let clock = Date(timeIntervalSince1970: 1_780_000_000)

    func fixture(_ name: String) -> String { FixturePaths.fixtures.appendingPathComponent(name).path }

    // MARK: audit

    /// The stock tree's own process has soft nofile 1,024 (proc/self/limits): not ready even for dev's 10,000.
    func testAuditStockHostDevProfile() async throws {
        try await golden("audit-stock-dev", ["audit", "--root", fixture("debian12-stock")], status: 1)
    }

    func testAuditStockHostServer100kFails() async throws {
        try await golden(
            "audit-stock-server-100k", ["audit", "--root", fixture("debian12-stock"), "--profile", "server-100k"],
            status: 1)
    }

    func testAuditTunedHostGateway1m() async throws {
        try await golden(
            "audit-tuned-gateway-1m", ["audit", "--root", fixture("tuned-1m"), "--profile", "gateway-1m"], status: 0)
    }

    func testAuditLowCapacityVerbose() async throws {
        try await golden(
            "audit-low-capacity-verbose",
            ["audit", "--root", fixture("low-capacity"), "--profile", "server-100k", "--verbose"], status: 1)
    }

    func testAuditMalformedHostCannotRun() async throws {
        try await golden("audit-malformed", ["audit", "--root", fixture("malformed")], status: 2)
    }

    // MARK: plan, apply --dry-run, profiles

    func testPlanStockServer100k() async throws {
        try await golden(
            "plan-stock-server-100k", ["plan", "--root", fixture("debian12-stock"), "--profile", "server-100k"],
            status: 0)
    }

    func testApplyDryRunStockServer100k() async throws {
        // A copy: --root makes proc/sys files, and a dry run must not write them (checked below).
        let root = try copyOfFixture("debian12-stock")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let before = try treeDigest(root)
        try await golden(
            "apply-dry-run-stock-server-100k",
            ["apply", "--dry-run", "--root", root.path, "--profile", "server-100k"], status: 0, root: root.path)
        XCTAssertEqual(try treeDigest(root), before, "apply --dry-run changed the tree")
    }

    func testApplyDryRunTunedHostOnlyAddsLimitsD() async throws {
        let root = try copyOfFixture("tuned-1m")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try await golden(
            "apply-dry-run-tuned-gateway-1m",
            ["apply", "--dry-run", "--root", root.path, "--profile", "gateway-1m"], status: 0, root: root.path)
    }

    /// A real apply under a copied tree, the journal it leaves, and the rollback that restores the tree: the clock
    /// names the journal entry and stamps the sysctl.d header, so the whole text is fixed.
    func testApplyThenRollbackUnderRoot() async throws {
        let root = try copyOfFixture("debian12-stock")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let before = try treeDigest(root)
        try await golden(
            "apply-stock-server-100k", ["apply", "--yes", "--root", root.path, "--profile", "server-100k"], status: 0,
            root: root.path)
        let backlog = root.appendingPathComponent("proc/sys/net/ipv4/tcp_max_syn_backlog")
        XCTAssertEqual(try String(contentsOf: backlog, encoding: .utf8), "4096\n")
        try await golden(
            "rollback-list-after-apply", ["rollback", "--list", "--root", root.path], status: 0, root: root.path)
        try await golden("rollback-stock-server-100k", ["rollback", "--root", root.path], status: 0, root: root.path)
        let after = try treeDigest(root).filter { !$0.key.hasPrefix("var/lib/wstune/") }
        XCTAssertEqual(after, before, "rollback did not restore the tree")
    }

    func testApplyOnTheLiveHostNeedsRoot() async throws {
        try await golden("apply-needs-root", ["apply", "--profile", "server-100k", "--yes"], status: 4)
    }

    /// worker_processes and nbthread come from the context's CPU count (4 here), not this machine's.
    func testRenderNginxProxy() async throws {
        try await golden(
            "render-nginx-proxy", ["render", "nginx", "--profile", "proxy", "--backend", "10.0.0.5:8080"], status: 0)
    }

    func testRenderTextfileUnits() async throws {
        try await golden(
            "textfile-port-443", ["textfile", "--port", "443", "--unit", "nginx", "--backend", "10.0.0.5:8080"],
            status: 0)
    }

    func testProfilesShow() async throws {
        try await golden("profiles-show-server-100k", ["profiles", "show", "server-100k"], status: 0)
    }

    // MARK: lint (each file placed in a root of its own, so the unit limits come from the tree, not this machine)

    func testLintNginxUpgradeHeadersTrigger() async throws {
        try await lint("nginx", "upgrade-headers.trigger.conf", at: "etc/nginx/nginx.conf", status: 1)
    }

    func testLintNginxWorkerCapacityTrigger() async throws {
        try await lint("nginx", "worker-capacity.trigger.conf", at: "etc/nginx/nginx.conf", status: 1)
    }

    func testLintNginxReadTimeoutPass() async throws {
        try await lint("nginx", "read-timeout.pass.conf", at: "etc/nginx/nginx.conf", status: 0)
    }

    func testLintHAProxyTimeoutTunnelTrigger() async throws {
        try await lint("haproxy", "timeout-tunnel.trigger.cfg", at: "etc/haproxy/haproxy.cfg", status: 1)
    }

    func testLintHAProxyMaxconnPass() async throws {
        try await lint("haproxy", "maxconn.pass.cfg", at: "etc/haproxy/haproxy.cfg", status: 0)
    }

    func testLintSystemdLimitNofileTrigger() async throws {
        try await lint(
            "systemd", "limit-nofile.trigger.service", at: "etc/systemd/system/chat.service", unit: "chat.service",
            status: 1)
    }

    // MARK: the context itself

    /// The in-process run and the built binary give the same bytes and status: the context cannot drift from
    /// the real CLI.
    func testInProcessRunMatchesTheBinary() async throws {
        let args = ["audit", "--root", fixture("debian12-stock"), "--profile", "server-100k"]
        let inProcess = await runInProcess(args)
        let spawned = try spawn(args, environment: Self.environment)
        XCTAssertEqual(inProcess.status, 1)
        XCTAssertEqual(spawned.status, inProcess.status)
        XCTAssertEqual(spawned.stdout, inProcess.stdout)
        XCTAssertEqual(spawned.stderr, inProcess.stderr)
        XCTAssertFalse(inProcess.stdout.isEmpty)
    }

    /// A failed write to standard output is exit 2 with one line saying so; EPIPE (`| head`) is exit 2 quietly.
    func testFailedWriteIsExit2() async throws {
        let args = ["plan", "--root", fixture("debian12-stock")]
        let full = await runInProcess(args, stdout: CapturedOutput(failing: ENOSPC))
        XCTAssertEqual(full.status, 2)
        XCTAssertEqual(full.stderr, "wstune: cannot write to standard output: No space left on device\n")
        let pipe = await runInProcess(args, stdout: CapturedOutput(failing: EPIPE))
        XCTAssertEqual(pipe.status, 2)
        XCTAssertEqual(pipe.stderr, "")
        // Not ready stays worse-or-equal: a failing audit whose output is lost is 2, not 1.
        let audit = await runInProcess(
            ["audit", "--root", fixture("debian12-stock"), "--profile", "server-100k"],
            stdout: CapturedOutput(failing: ENOSPC))
        XCTAssertEqual(audit.status, 2)
    }

    /// Colour on a terminal, none with NO_COLOR or TERM=dumb: the environment is the context's, not the process's.
    func testColourFollowsTheContextsTerminalAndEnvironment() async throws {
        let args = ["audit", "--root", fixture("debian12-stock"), "--profile", "server-100k"]
        let plain = await runInProcess(args)
        let tty = await runInProcess(args, stdout: CapturedOutput(isTerminal: true), extra: ["TERM": "xterm"])
        XCTAssertTrue(tty.stdout.contains("\u{1B}[31mNOT READY\u{1B}[0m"), tty.stdout)
        let stripped = tty.stdout.replacingOccurrences(
            of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        XCTAssertEqual(stripped, plain.stdout)
        for env in [["TERM": "xterm", "NO_COLOR": "1"], ["TERM": "dumb"]] {
            let r = await runInProcess(args, stdout: CapturedOutput(isTerminal: true), extra: env)
            XCTAssertEqual(r.stdout, plain.stdout, "\(env)")
        }
    }

    /// `lint nginx -` reads the context's standard input.
    func testLintNginxDumpFromStandardInput() async throws {
        let file = FixturePaths.fixtures.appendingPathComponent("lint/nginx/upgrade-headers.trigger.conf")
        let text = try String(contentsOf: file, encoding: .utf8)
        let dump =
            "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
            + "# configuration file /etc/nginx/nginx.conf:\n" + text
        let root = try emptyRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let fromFile = try await lintRun("nginx", file, at: "etc/nginx/nginx.conf", root: root, unit: nil)
        let fromInput = await runInProcess(
            ["lint", "nginx", "-", "--root", root.path], input: .text(dump))
        XCTAssertEqual(fromFile.status, 1)
        XCTAssertEqual(fromInput.status, fromFile.status)
        // The same report; the file is named as the dump names it.
        XCTAssertEqual(fromInput.stdout, fromFile.stdout.replacingOccurrences(of: root.path, with: ""))
    }
}

// MARK: - Running and comparing

struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

extension GoldenOutputTests {
    /// What every run sees: profiles and templates from this checkout, no colour words, nothing of this machine's.
    static var environment: [String: String] {
        ["WSTUNE_DATA": FixturePaths.packageRoot.path, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TERM": "dumb"]
    }

    func runInProcess(
        _ args: [String], stdout: CapturedOutput = CapturedOutput(), stderr: CapturedOutput = CapturedOutput(),
        input: CommandInput = .text(""), extra: [String: String] = [:]
    ) async -> Run {
        let context = CommandContext(
            root: HostRoot("/"), stdout: stdout, stderr: stderr, input: input, now: { Self.clock },
            environment: Self.environment.merging(extra) { $1 }, argv0: "wstune", arguments: args, cpuCount: 4,
            isRoot: false)
        let status = await WSTune.run(args, in: context)
        return Run(status: status, stdout: stdout.text, stderr: stderr.text)
    }

    /// Runs the case, checks its status, and compares (or with WSTUNE_UPDATE_GOLDEN=1 writes) its golden file.
    func golden(
        _ name: String, _ args: [String], status: Int32, root: String? = nil, input: CommandInput = .text(""),
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let r = await runInProcess(args, input: input)
        XCTAssertEqual(r.status, status, "exit status of \(name): \(r.stderr)", file: file, line: line)
        let text = render(args, r, root: root)
        let url = Self.goldenDirectory.appendingPathComponent(name + ".txt")
        if Self.updating {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("no golden file \(url.path): run with WSTUNE_UPDATE_GOLDEN=1", file: file, line: line)
        }
        if text != expected {
            XCTFail(
                "\(name): output differs from \(url.path)\n\(firstDifference(expected, text))", file: file, line: line)
        }
    }

    /// The golden text: the command line, the status, then each stream, with run-specific paths named.
    func render(_ args: [String], _ r: Run, root: String?) -> String {
        func named(_ s: String) -> String {
            var s = s
            if let root { s = s.replacingOccurrences(of: root, with: "<root>") }
            s = s.replacingOccurrences(of: FixturePaths.fixtures.path, with: "<fixtures>")
            return s.replacingOccurrences(of: FixturePaths.packageRoot.path, with: "<checkout>")
        }
        return named(
            "$ wstune \(args.joined(separator: " "))\n[exit \(r.status)]\n--- stdout\n\(r.stdout)--- stderr\n\(r.stderr)"
        )
    }

    func firstDifference(_ expected: String, _ actual: String) -> String {
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        for i in 0..<max(e.count, a.count) where (i < e.count ? e[i] : nil) != (i < a.count ? a[i] : nil) {
            return
                "line \(i + 1):\n  expected: \(i < e.count ? e[i] : "(end)")\n  actual:   \(i < a.count ? a[i] : "(end)")"
        }
        return "(no line differs)"
    }

    /// `wstune lint KIND` on a fixture file placed at `path` in a root holding only the stock host's systemd
    /// defaults.
    func lint(
        _ kind: String, _ name: String, at path: String, unit: String? = nil, status: Int32,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let root = try emptyRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let source = FixturePaths.fixtures.appendingPathComponent("lint/\(kind)/\(name)")
        try TreeWriter.write(path, try String(contentsOf: source, encoding: .utf8), under: root)
        var args = ["lint", kind] + (unit.map { [$0] } ?? []) + ["--root", root.path]
        if unit == nil { args.insert(contentsOf: ["/" + path], at: 2) }
        let stem = name.split(separator: ".").dropLast().joined(separator: "-")
        try await golden("lint-\(kind)-\(stem)", args, status: status, root: root.path, file: file, line: line)
    }

    func lintRun(_ kind: String, _ source: URL, at path: String, root: URL, unit: String?) async throws -> Run {
        try TreeWriter.write(path, try String(contentsOf: source, encoding: .utf8), under: root)
        return await runInProcess(["lint", kind, "/" + path, "--root", root.path])
    }

    /// A temporary root (the caller removes it) with the stock host's /etc/systemd/system.conf (DefaultLimitNOFILE commented out).
    func emptyRoot() throws -> URL {
        let root = try TreeWriter.temporaryDirectory("wst-ctx-golden")
        let conf = try String(
            contentsOfFile: fixture("debian12-stock") + "/etc/systemd/system.conf", encoding: .utf8)
        try TreeWriter.write("etc/systemd/system.conf", conf, under: root)
        return root
    }

    /// A copy of a fixture tree at TMP/NAME (the caller removes TMP).
    func copyOfFixture(_ name: String) throws -> URL {
        let parent = try TreeWriter.temporaryDirectory("wst-ctx-golden")
        let root = parent.appendingPathComponent(name)
        try FileManager.default.copyItem(atPath: fixture(name), toPath: root.path)
        return root
    }

    /// Every regular file's path and contents under `root`.
    func treeDigest(_ root: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root.path)
        while let p = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = root.path + "/" + p
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out[p] = FileManager.default.contents(atPath: full)
            }
        }
        return out
    }

    /// The built binary next to the test bundle (same build folder), with the given environment only.
    func spawn(_ args: [String], environment: [String: String]) throws -> Run {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var binary = FixturePaths.packageRoot.appendingPathComponent(".build/debug/wstune").path
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("wstune").path
            if FileManager.default.isExecutableFile(atPath: candidate) {
                binary = candidate
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Both pipes drained while it runs (a report larger than a pipe buffer must not block it), bounded in time.
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box(), errBox = Box()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outBox), (err, errBox)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        group.wait()
        let outData = outBox.data
        return Run(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self))
    }
}
