import Foundation
import HostFacts
import XCTest

/// `wstune apply --unit`, `audit --unit` and `rollback` as PID 1 systemd sees them, in a container whose service
/// manager has hard nofile 20000 and no CAP_SYS_RESOURCE (like this machine's containers): `systemctl show`,
/// `systemd-analyze cat-config`, `systemd-sysctl` and the restarted service's /proc/PID/limits are the oracles.
final class SystemdApplyTests: SystemdContainerTestCase {
    override class var containerTag: String { "apply" }

    struct AuditJSON: Decodable {
        struct Target: Decodable { var nofileSoft: Int?; var nofileHard: Int?; var origin: String? }
        struct F: Decodable {
            var id: String; var severity: String; var current: String?; var why: String?; var fix: String?
        }
        var target: Target
        var findings: [F]
    }

    func wstune(_ args: [String]) throws -> CommandResult {
        try c.run([SystemdContainer.binaryPath] + args, timeoutSeconds: 120)
    }

    /// The container's PID 1 hard nofile (the oracle for what systemd can give a service).
    func managerHard() throws -> Int {
        let r = try c.run(["cat", "/proc/1/limits"])
        let row = try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        return try XCTUnwrap(Int(row.dropFirst("Max open files".count).split(separator: " ")[1]))
    }

    func testApplyWritesDropInReloadsAndRollbackRestores() throws {
        try c.write("/etc/systemd/system/chat.service", "[Service]\nExecStart=/bin/sleep infinity\n")
        defer {
            _ = try? c.run(["systemctl", "stop", "chat.service"])
            c.remove(["/etc/systemd/system/chat.service", "/etc/systemd/system/chat.service.d"])
            _ = try? c.run(["systemctl", "daemon-reload"])
        }
        try c.systemctl("daemon-reload")
        try c.systemctl("start", "chat.service")
        let before = try c.show("chat.service", ["LimitNOFILE", "LimitNOFILESoft"])
        let hard = try managerHard()
        XCTAssertLessThan(hard, 100_064, "the container's service manager must be capped below the need for this test")

        let apply = try wstune(["apply", "--yes", "--unit", "chat", "--profile", "server-100k"])
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        // item 2: apply warns that what it writes cannot take effect here.
        XCTAssertTrue(
            apply.stdout.contains("cannot take effect") && apply.stdout.contains("hard nofile \(hard)"), apply.stdout)

        // The drop-in is what systemd loaded: daemon-reload ran (NeedDaemonReload=no), show and cat-config agree.
        let shown = try c.show("chat.service", ["LimitNOFILE", "LimitNOFILESoft", "NeedDaemonReload", "DropInPaths"])
        XCTAssertEqual(shown["NeedDaemonReload"], "no")
        XCTAssertEqual(shown["DropInPaths"], "/etc/systemd/system/chat.service.d/90-wstune.conf")
        XCTAssertEqual(shown["LimitNOFILESoft"], "100064")
        let cat = try c.run(["systemd-analyze", "--no-pager", "cat-config", "systemd/system/chat.service"])
        XCTAssertTrue(cat.stdout.contains("# /etc/systemd/system/chat.service.d/90-wstune.conf"), cat.stdout)
        XCTAssertTrue(cat.stdout.contains("LimitNOFILE=100064"), cat.stdout)

        // systemd-sysctl applies the sysctl.d file apply wrote (net.* are this container's own).
        let sysctlFile = try XCTUnwrap(String(contentsOfFile: c.root + "/etc/sysctl.d/90-wstune.conf", encoding: .utf8))
        let line = try XCTUnwrap(sysctlFile.split(separator: "\n").first { $0.hasPrefix("net.") && $0.contains(" = ") })
        let parts = line.components(separatedBy: " = ")
        let key = parts[0], value = parts[1]
        let procPath = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
        XCTAssertEqual(
            try c.run(["cat", procPath]).stdout.trimmingCharacters(in: .whitespacesAndNewlines), value,
            "live value written")
        XCTAssertEqual(try c.run(["sysctl", "-qw", "\(key)=7"]).status, 0)
        XCTAssertEqual(try c.run(["/lib/systemd/systemd-sysctl", "/etc/sysctl.d/90-wstune.conf"]).status, 0)
        XCTAssertEqual(
            try c.run(["cat", procPath]).stdout.trimmingCharacters(in: .whitespacesAndNewlines), value,
            "systemd-sysctl reads the file")

        // item 2: the restarted process gets the service manager's cap, not the configured value, and audit says so.
        try c.systemctl("restart", "chat.service")
        let got = try c.nofile(ofMainPIDOf: "chat.service")
        XCTAssertEqual(got.soft, String(hard))
        let audit = try wstune(["audit", "--unit", "chat", "--profile", "server-100k", "--json"])
        XCTAssertEqual(audit.status, 1, audit.stderr)
        let aj = try JSONDecoder().decode(AuditJSON.self, from: Data(audit.stdout.utf8))
        XCTAssertEqual(aj.target.nofileSoft, Int(got.soft), "audit reports the effective limit of the running MainPID")
        XCTAssertEqual(aj.target.nofileHard, Int(got.hard))
        let soft = try XCTUnwrap(aj.findings.first { $0.id == "fd.soft-limit" })
        XCTAssertEqual(soft.severity, "fail")
        XCTAssertTrue(soft.why?.contains("configured LimitNOFILE=100064") ?? false, soft.why ?? "")
        XCTAssertTrue(soft.why?.contains("no CAP_SYS_RESOURCE") ?? false, soft.why ?? "")
        XCTAssertTrue(soft.fix?.contains("service manager") ?? false, soft.fix ?? "")

        // rollback: the drop-in is gone, systemd reloaded, the unit's limits are what they were.
        let rb = try wstune(["rollback"])
        XCTAssertEqual(rb.status, 0, rb.stdout + rb.stderr)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: c.root + "/etc/systemd/system/chat.service.d/90-wstune.conf"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: c.root + "/etc/sysctl.d/90-wstune.conf"))
        let after = try c.show("chat.service", ["LimitNOFILE", "LimitNOFILESoft", "NeedDaemonReload", "DropInPaths"])
        XCTAssertEqual(after["NeedDaemonReload"], "no")
        XCTAssertEqual(after["DropInPaths"], "")
        XCTAssertEqual(after["LimitNOFILE"], before["LimitNOFILE"])
        XCTAssertEqual(after["LimitNOFILESoft"], before["LimitNOFILESoft"])
    }

    /// A running unit whose files were raised but that was not restarted: audit judges what the process has and
    /// names the restart; a unit within the manager's cap reaches its configured value after restart.
    func testAuditSeesARunningUnitThatPredatesItsDropIn() throws {
        try c.write("/etc/systemd/system/late.service", "[Service]\nExecStart=/bin/sleep infinity\nLimitNOFILE=2000\n")
        defer {
            _ = try? c.run(["systemctl", "stop", "late.service"])
            c.remove(["/etc/systemd/system/late.service", "/etc/systemd/system/late.service.d"])
            _ = try? c.run(["systemctl", "daemon-reload"])
        }
        try c.systemctl("daemon-reload")
        try c.systemctl("start", "late.service")
        try c.write("/etc/systemd/system/late.service.d/50-more.conf", "[Service]\nLimitNOFILE=15000\n")
        try c.systemctl("daemon-reload")
        XCTAssertEqual(try c.show("late.service", ["LimitNOFILE"])["LimitNOFILE"], "15000")
        XCTAssertEqual(try c.nofile(ofMainPIDOf: "late.service").soft, "2000")
        let a = try wstune(["audit", "--unit", "late", "--profile", "dev", "--json"])
        let aj = try JSONDecoder().decode(AuditJSON.self, from: Data(a.stdout.utf8))
        XCTAssertEqual(aj.target.nofileSoft, 2000, a.stdout)
        let soft = try XCTUnwrap(aj.findings.first { $0.id == "fd.soft-limit" })
        XCTAssertTrue(soft.why?.contains("restart") ?? false, soft.why ?? "")
        try c.systemctl("restart", "late.service")
        XCTAssertEqual(try c.nofile(ofMainPIDOf: "late.service").soft, "15000")
        let b = try wstune(["audit", "--unit", "late", "--profile", "dev", "--json"])
        XCTAssertEqual(try JSONDecoder().decode(AuditJSON.self, from: Data(b.stdout.utf8)).target.nofileSoft, 15000)
    }
}
