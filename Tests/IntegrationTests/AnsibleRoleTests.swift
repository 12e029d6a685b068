import Foundation
import XCTest

/// contrib/ansible's `wstune` role, run by ansible-core (PyPI, in the venv scripts/setup makes) on localhost
/// against a network namespace this test creates, files under a temporary --files-root: `--check` changes
/// nothing, the first run reports changed, the second changed=0, and a failed audit fails the play naming the ids.
final class AnsibleRoleTests: XCTestCase {
    var ns: NetNamespace!
    var filesRoot: URL!
    var play: URL!

    override func setUpWithError() throws {
        ns = try NetNamespace("16-ansible")
        filesRoot = try TestSupport.temporaryDirectory("wst-16-ansible")
        try ns.sysctl("net.core.somaxconn", "128")
        play = filesRoot.appendingPathComponent("play.yml")
        try "- hosts: localhost\n  gather_facts: false\n  roles:\n    - role: wstune\n".write(
            to: play, atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        ns?.delete()
        if let f = filesRoot { try? FileManager.default.removeItem(at: f) }
    }

    struct Recap { var ok = -1, changed = -1, failed = -1 }

    /// Runs the play with the role's variables; returns the recap of localhost and the whole output.
    func runPlay(_ vars: [String: Any], check: Bool = false) throws -> (CommandResult, Recap) {
        var all: [String: Any] = [
            "wstune_binary": TestSupport.wstuneBinary, "wstune_profile": "dev",
            "wstune_command_prefix": ["ip", "netns", "exec", ns.name],
            "ansible_python_interpreter": TestSupport.venvPython,
        ]
        all.merge(vars) { $1 }
        let extra = String(decoding: try JSONSerialization.data(withJSONObject: all), as: UTF8.self)
        let playbook = TestSupport.packageRoot.appendingPathComponent(".build-venv/bin/ansible-playbook").path
        let r = try TestSupport.run(
            [playbook, "-i", "localhost,", "-c", "local", "-e", extra, play.path] + (check ? ["--check"] : []),
            environment: [
                "ANSIBLE_ROLES_PATH": TestSupport.packageRoot.appendingPathComponent("contrib/ansible/roles").path,
                "ANSIBLE_NOCOLOR": "1", "LC_ALL": "C.UTF-8",
                "ANSIBLE_LOCAL_TEMP": filesRoot.appendingPathComponent(".ansible-tmp").path,
                "ANSIBLE_REMOTE_TEMP": filesRoot.appendingPathComponent(".ansible-remote-tmp").path,
                "ANSIBLE_HOME": filesRoot.appendingPathComponent(".ansible").path,
            ],
            timeoutSeconds: 180)
        var recap = Recap()
        if let line = r.stdout.split(separator: "\n").last(where: {
            $0.hasPrefix("localhost") && $0.contains("changed=")
        }) {
            for field in line.split(separator: " ") {
                let kv = field.split(separator: "=")
                guard kv.count == 2, let n = Int(kv[1]) else { continue }
                switch kv[0] {
                case "ok": recap.ok = n
                case "changed": recap.changed = n
                case "failed": recap.failed = n
                default: break
                }
            }
        }
        return (r, recap)
    }

    func somaxconn() throws -> String {
        try ns.exec(["sysctl", "-n", "net.core.somaxconn"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func filesUnderRoot() -> [String] {
        let fm = FileManager.default
        return (fm.enumerator(atPath: filesRoot.path)?.allObjects as? [String] ?? [])
            .filter { !$0.hasPrefix(".ansible") && $0 != "play.yml" }
    }

    func testCheckThenApplyThenIdempotentThenFailedAudit() throws {
        guard
            FileManager.default.isExecutableFile(
                atPath: TestSupport.packageRoot.appendingPathComponent(".build-venv/bin/ansible-playbook").path)
        else {
            XCTFail("ansible-core missing from .build-venv: run scripts/setup")
            return
        }
        let apply: [String: Any] = ["wstune_files_root": filesRoot.path, "wstune_audit": false]
        // --check: reports the change, makes none (live value and files root untouched).
        let (c, checkRecap) = try runPlay(apply, check: true)
        XCTAssertEqual(c.status, 0, c.stdout + c.stderr)
        XCTAssertEqual(checkRecap.changed, 1, c.stdout)
        XCTAssertEqual(try somaxconn(), "128", "check mode changed nothing live")
        XCTAssertEqual(filesUnderRoot(), [], "check mode wrote no file")

        // First run: changed, and the kernel (sysctl -n in the namespace) and the files root show it.
        let (first, firstRecap) = try runPlay(apply)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertEqual(firstRecap.changed, 1, first.stdout)
        XCTAssertEqual(firstRecap.failed, 0)
        XCTAssertGreaterThanOrEqual(Int(try somaxconn()) ?? 0, 4096)
        let sysctlConf = filesRoot.appendingPathComponent("etc/sysctl.d/90-wstune.conf").path
        // somaxconn's target 4096 is the boot default (not persisted); the SYN backlog is.
        XCTAssertTrue(
            (try? String(contentsOfFile: sysctlConf, encoding: .utf8))?.contains("net.ipv4.tcp_max_syn_backlog")
                ?? false, "persisted")

        // Second run: nothing to do.
        let (second, secondRecap) = try runPlay(apply)
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertEqual(secondRecap.changed, 0, second.stdout)
        XCTAssertEqual(secondRecap.failed, 0)

        // A failed audit fails the play and names the finding ids.
        try ns.sysctl("net.core.somaxconn", "128")
        let (audit, auditRecap) = try runPlay(["wstune_apply": false])
        XCTAssertNotEqual(audit.status, 0, audit.stdout)
        XCTAssertEqual(auditRecap.failed, 1, audit.stdout)
        let failure = try XCTUnwrap(
            audit.stdout.split(separator: "\n").first { $0.contains("fatal:") && $0.contains("NOT READY") },
            audit.stdout)
        XCTAssertTrue(failure.contains("net.somaxconn"), String(failure))
        // The ids named are exactly the audit's failures (wstune audit --json run the same way).
        let report = try ns.exec([TestSupport.wstuneBinary, "audit", "--json", "--profile", "dev"])
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let fails = (obj["findings"] as? [[String: Any]] ?? []).filter { $0["severity"] as? String == "fail" }
            .compactMap { $0["id"] as? String }
        XCTAssertTrue(failure.contains(fails.joined(separator: ", ")), "\(failure) vs \(fails)")
    }
}
