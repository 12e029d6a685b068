import Foundation
import XCTest

/// Issue 15, item 8: scripts/setup disturbs nothing on the host it runs on. It must not stop, disable, restart or
/// kill a service (a user running the quick start on a server keeps its proxy), and its package install must not
/// let a maintainer script start one (Debian's nginx postinst fails the install when port 80 is taken).
/// Oracle: every service-control program on PATH is replaced by a recorder; apt-get's stand-in asks the real
/// /usr/sbin/policy-rc.d what it would allow during the install.
final class SetupScriptTests: XCTestCase {
    func testSetupControlsNoServiceAndForbidsStartsDuringItsInstall() throws {
        let shims = try TestSupport.temporaryDirectory("wstune-setup-shims")
        defer { try? FileManager.default.removeItem(at: shims) }
        let log = shims.appendingPathComponent("calls.log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        func shim(_ name: String, _ body: String) throws {
            let path = shims.appendingPathComponent(name).path
            try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        for tool in [
            "systemctl", "pkill", "killall", "service", "invoke-rc.d", "deb-systemd-invoke", "start-stop-daemon",
            "kill",
        ] {
            try shim(tool, "echo \"\(tool) $*\" >> \(log); exit 0")
        }
        // Every package reads as missing, so setup takes its install path; apt-get records what policy-rc.d says.
        try shim("dpkg-query", "exit 1")
        try shim(
            "apt-get",
            """
            if [ "$1" = install ]; then
              if [ -x /usr/sbin/policy-rc.d ]; then /usr/sbin/policy-rc.d nginx start; echo "policy nginx start: $?" >> \(log)
              else echo "policy: none" >> \(log); fi
            fi
            exit 0
            """)
        let policy = "/usr/sbin/policy-rc.d"
        let policyBefore = try? String(contentsOfFile: policy, encoding: .utf8)
        let env = ["PATH": shims.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let r = try TestSupport.run(
            [
                "bash", TestSupport.packageRoot.appendingPathComponent("scripts/setup").path, "--no-build",
                "--test-deps",
            ],
            environment: env, timeoutSeconds: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let control = calls.filter { !$0.hasPrefix("policy") }
        XCTAssertEqual(control, [], "setup touched services: \(control)")
        XCTAssertEqual(
            calls.filter { $0.hasPrefix("policy") }, ["policy nginx start: 101"],
            "during the install no maintainer script may start a service (policy-rc.d exit 101)")
        XCTAssertEqual(try? String(contentsOfFile: policy, encoding: .utf8), policyBefore, "policy-rc.d left as it was")
    }
}
