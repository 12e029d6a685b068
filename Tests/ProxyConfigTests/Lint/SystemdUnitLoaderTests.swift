import Foundation
import HostFacts
import Tuning
import XCTest

@testable import ProxyConfig

final class SystemdUnitLoaderTests: TemporaryTreeTestCase {

    static let files = [
        "lib/systemd/system/chat@.service": "[Service]\nExecStart=/bin/true %i\nLimitNOFILE=1024\nRestart=no\n",
        "lib/systemd/system/chat@.service.d/10-limits.conf": "[Service]\nLimitNOFILE=4096\n",
        "etc/systemd/system/chat@.service.d/10-limits.conf": "[Service]\nLimitNOFILE=65536\n",
        "lib/systemd/system/chat@.service.d/20-restart.conf": "[Service]\nRestart=on-failure\n",
        "run/systemd/system/chat@8080.service.d/15-exec.conf":
            "[Service]\nExecStart=\nExecStart=/bin/false \\\n  --port 8080\n",
    ]

    func testDropInsMergeInSystemdsOrder() throws {
        let d = try tree(Self.files)
        let unit = try SystemdUnitLoader(root: HostRoot(d.path)).load("chat@8080")
        XCTAssertEqual(unit.name, "chat@8080.service")
        XCTAssertEqual(
            unit.files.map { String($0.dropFirst(d.path.count)) },
            [
                "/lib/systemd/system/chat@.service", "/etc/systemd/system/chat@.service.d/10-limits.conf",
                "/run/systemd/system/chat@8080.service.d/15-exec.conf",
                "/lib/systemd/system/chat@.service.d/20-restart.conf",
            ])
        XCTAssertEqual(unit.value("Service", "LimitNOFILE")?.value, "65536")
        XCTAssertEqual(unit.value("Service", "LimitNOFILE")?.location.line, 2)
        XCTAssertEqual(unit.value("Service", "Restart")?.value, "on-failure")
        // systemd's continuation: the backslash becomes a space and the next line is appended as written.
        XCTAssertEqual(unit.value("Service", "ExecStart")?.value, "/bin/false    --port 8080")
        XCTAssertEqual(unit.value("Service", "ExecStart")?.location.line, 3)
    }

    func testOrderMatchesSystemdAnalyzeCatConfig() throws {
        // The oracle: systemd's own loader lists the unit and its drop-ins in the order it applies them.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            throw XCTSkip("no systemd-analyze")
        }
        var files = Self.files
        files.removeValue(forKey: "run/systemd/system/chat@8080.service.d/15-exec.conf")
        files["lib/systemd/system/chat.service"] = "[Service]\nExecStart=/bin/true\n"
        files["lib/systemd/system/chat.service.d/30-x.conf"] = "[Service]\nNice=1\n"
        files["etc/systemd/system/chat.service.d/05-y.conf"] = "[Service]\nNice=2\n"
        let d = try tree(files)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        p.arguments = ["--root=\(d.path)", "--no-pager", "cat-config", "systemd/system/chat.service"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let oracle = text.split(separator: "\n").filter { $0.hasPrefix("# /") }.map { String($0.dropFirst(2)) }
        XCTAssertGreaterThan(oracle.count, 1, text)
        let unit = try SystemdUnitLoader(root: HostRoot(d.path)).load("chat.service")
        XCTAssertEqual(unit.files, oracle)
    }

    func testUnitFileByPathReadsItsDropInDirectoryAndReportsBadLines() throws {
        let d = try tree([
            "x/app.service": "[Service]\nnot an assignment\nLimitNOFILE=10\n",
            "x/app.service.d/a.conf": "[Service]\nLimitNOFILE=\n",
        ])
        let unit = try SystemdUnitLoader().load(d.appendingPathComponent("x/app.service").path)
        XCTAssertEqual(unit.errors.map(\.location.line), [2])
        XCTAssertNil(unit.value("Service", "LimitNOFILE"), "an empty assignment resets")
    }
}

final class UnitLimitNofileDefaultTests: XCTestCase {
    func testAbsentLimitIsJudgedByDefaultLimitNOFILE() throws {
        let unit = SystemdUnit(
            name: "chat.service", files: ["/x/chat.service"],
            settings: SystemdUnit.parse("[Service]\nExecStart=/bin/true\n", file: "/x/chat.service").settings,
            errors: [])
        let p = Profile(name: "t", connections: Sourced(10_000, .derived))
        let builtin = LintRequirement(profile: p, cpuCount: 1)
        XCTAssertEqual(
            Lint.run(unit: unit, builtin).findings.first { $0.id == "systemd.limit-nofile" }?.severity, .fail)
        let raised = LintRequirement(
            profile: p, cpuCount: 1, defaultUnitLimit: FileLimit(soft: 65536, hard: 524288),
            defaultUnitLimitOrigin: "/etc/systemd/system.conf:3")
        XCTAssertEqual(Lint.run(unit: unit, raised).findings.first { $0.id == "systemd.limit-nofile" }?.severity, .pass)
    }
}
