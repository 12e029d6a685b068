import Foundation
import XCTest

/// HAProxy configs nobody here wrote: CR LF, values near Int.max, many sections, `.if` blocks, "${VAR}", and
/// judging the timeout that really cuts an idle tunnel. `haproxy -c` is the oracle for what haproxy accepts.
final class LintHAProxyHostileTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        try ProxyTestSupport.requireTool("haproxy")
        dir = try TestSupport.temporaryDirectory("wst-13b-hap")
    }

    override func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
        super.tearDown()
    }

    /// A config that passes every check; DEFAULTS lines go into the defaults section, GLOBAL before it.
    private func cfg(_ name: String, top: String = "", defaults: String = "    timeout tunnel 90s\n") throws -> String {
        let port = try ProxyTestSupport.freePort()
        let text = """
            \(top)global
                maxconn 10000
                hard-stop-after 40s

            defaults
                mode http
                timeout connect 5s
                timeout client 90s
                timeout server 90s
                timeout client-fin 30s
            \(defaults)
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be

            backend be
                balance leastconn
                server s1 127.0.0.1:9

            """
        let path = dir.appendingPathComponent(name).path
        try LintHostileSupport.write(text, to: path)
        return path
    }

    private func check(_ file: String, environment: [String: String]? = nil) throws -> CommandResult {
        try TestSupport.run(["haproxy", "-dr", "-c", "-f", file], environment: environment, timeoutSeconds: 30)
    }

    private let args = ["--json", "--connections", "10000", "--profile", "dev"]

    func testCRLFConfigLintsLikeTheLFOne() throws {
        let lf = try cfg("lf.cfg")
        let crlf = dir.appendingPathComponent("crlf.cfg").path
        try LintHostileSupport.write(
            try String(contentsOfFile: lf, encoding: .utf8).replacingOccurrences(of: "\n", with: "\r\n"), to: crlf)
        XCTAssertEqual(try check(crlf).status, 0, "haproxy -c accepts CR LF")
        let a = try LintHostileSupport.lint(["haproxy", lf] + args),
            b = try LintHostileSupport.lint(["haproxy", crlf] + args)
        XCTAssertEqual(a.status, 0, a.stdout)
        XCTAssertEqual(try LintHostileSupport.raised(b.stdout), [:], b.stdout)
    }

    func testMaxconnAndNbthreadNearIntMaxAreJudgedNotTrapped() throws {
        let f = try cfg("big.cfg")
        let text = try String(contentsOfFile: f, encoding: .utf8)
            .replacingOccurrences(
                of: "    maxconn 10000\n", with: "    maxconn 9223372036854775807\n    nbthread 9223372036854775807\n")
        try LintHostileSupport.write(text, to: f)
        XCTAssertNotEqual(try check(f).status, 0, "haproxy -c refuses nbthread past 64")
        let r = try LintHostileSupport.lint(["haproxy", f] + args)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(try LintHostileSupport.raised(r.stdout)["haproxy.fd-limit"], ["\(f):2"], r.stdout)
    }

    func testTwoHundredThousandSectionsParseInLinearTime() throws {
        var text = "global\n    maxconn 10000\n    hard-stop-after 40s\n"
        for i in 0..<200_000 { text += "backend b\(i)\n    mode tcp\n" }
        let f = dir.appendingPathComponent("many.cfg").path
        try LintHostileSupport.write(text, to: f)
        let r = try LintHostileSupport.lint(["haproxy", f] + args, timeoutSeconds: 30)
        XCTAssertEqual(r.status, 0, r.stdout.prefix(2000) + r.stderr)
    }

    func testIfBlocksBeforeTheFirstSectionAreAcceptedLikeHAProxy() throws {
        let f = try cfg("top-if.cfg", top: ".if defined(WST_13B_UNSET)\n.notice \"set\"\n.endif\n")
        XCTAssertEqual(try check(f).status, 0)
        let r = try LintHostileSupport.lint(["haproxy", f] + args)
        XCTAssertEqual(try LintHostileSupport.raised(r.stdout), [:], r.stdout)
    }

    func testTunnelTimeoutInsideAFalseIfDoesNotCount() throws {
        let f = try cfg("false-if.cfg", defaults: ".if defined(WST_13B_TUNNEL)\n    timeout tunnel 1h\n.endif\n")
        let short = try String(contentsOfFile: f, encoding: .utf8)
            .replacingOccurrences(of: "timeout client 90s", with: "timeout client 30s")
        try LintHostileSupport.write(short, to: f)
        XCTAssertEqual(try check(f).status, 0)
        let off = try LintHostileSupport.lint(["haproxy", f] + args)
        XCTAssertEqual(off.status, 1, off.stdout)
        XCTAssertNotNil(try LintHostileSupport.raised(off.stdout)["haproxy.timeout-tunnel"], off.stdout)
        XCTAssertEqual(try check(f, environment: ["WST_13B_TUNNEL": "1"]).status, 0)
        let on = try LintHostileSupport.lint(["haproxy", f] + args, environment: ["WST_13B_TUNNEL": "1"])
        XCTAssertNil(try LintHostileSupport.raised(on.stdout)["haproxy.timeout-tunnel"], on.stdout)
        // A condition wstune cannot evaluate is unknown, not true: a warning that says so.
        let v = try cfg("version-if.cfg", defaults: ".if version_atleast(2.4)\n    timeout tunnel 1h\n.endif\n")
        try LintHostileSupport.write(
            try String(contentsOfFile: v, encoding: .utf8)
                .replacingOccurrences(of: "timeout client 90s", with: "timeout client 30s"), to: v)
        XCTAssertEqual(try check(v).status, 0)
        let u = try LintHostileSupport.lint(["haproxy", v] + args)
        XCTAssertTrue(
            try LintHostileSupport.currents(u.stdout, id: "haproxy.timeout-tunnel").contains {
                $0.contains("cannot evaluate")
            }, u.stdout)
    }

    func testLongClientAndServerTimeoutsKeepTunnelsWithoutTimeoutTunnel() throws {
        let f = try cfg("long.cfg", defaults: "")
        try LintHostileSupport.write(
            try String(contentsOfFile: f, encoding: .utf8)
                .replacingOccurrences(of: "timeout client 90s", with: "timeout client 1000s")
                .replacingOccurrences(of: "timeout server 90s", with: "timeout server 1h"), to: f)
        XCTAssertEqual(try check(f).status, 0)
        let r = try LintHostileSupport.lint(["haproxy", f] + args)
        XCTAssertEqual(r.status, 0, r.stdout)
        // The shorter of the two is what cuts the tunnel.
        try LintHostileSupport.write(
            try String(contentsOfFile: f, encoding: .utf8)
                .replacingOccurrences(of: "timeout client 1000s", with: "timeout client 20s"), to: f)
        let s = try LintHostileSupport.lint(["haproxy", f] + args)
        XCTAssertEqual(s.status, 1, s.stdout)
        XCTAssertTrue(
            try LintHostileSupport.currents(s.stdout, id: "haproxy.timeout-tunnel").contains {
                $0.contains("timeout client 20s")
            }, s.stdout)
    }

    func testEnvironmentVariablesInValuesAreExpandedOrSaidUnknown() throws {
        let f = try cfg("env.cfg", defaults: "    timeout tunnel \"${WST_13B_TT}\"\n")
        XCTAssertEqual(try check(f, environment: ["WST_13B_TT": "1h"]).status, 0)
        let set = try LintHostileSupport.lint(["haproxy", f] + args, environment: ["WST_13B_TT": "1h"])
        XCTAssertEqual(set.status, 0, set.stdout)
        let short = try LintHostileSupport.lint(["haproxy", f] + args, environment: ["WST_13B_TT": "10s"])
        XCTAssertEqual(short.status, 1, short.stdout)
        let unset = try LintHostileSupport.lint(["haproxy", f] + args)
        XCTAssertEqual(unset.status, 0, "unknown is a warning, not a failure: \(unset.stdout)")
        XCTAssertTrue(
            try LintHostileSupport.currents(unset.stdout, id: "haproxy.timeout-tunnel").contains {
                $0.contains("${WST_13B_TT}")
            }, unset.stdout)
    }
}
