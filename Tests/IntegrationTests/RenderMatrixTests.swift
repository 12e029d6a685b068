import Foundation
import XCTest

/// `wstune render` over a matrix of option sets, each output validated by the real nginx -t, haproxy -c and
/// systemd-analyze (independent oracles), plus the `--check` path and template overrides.
final class RenderMatrixTests: XCTestCase {
    func testMatrixRendersConfigsTheRealNginxAccepts() throws {
        try ProxyTestSupport.requireTool("nginx")
        let dir = try TestSupport.temporaryDirectory("wst-render-nginx")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tls = try ProxyTestSupport.makeCertificate(in: dir)
        for c in RenderMatrix.cases {
            let prefix = dir.appendingPathComponent(c.name).path
            try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
            let port = try ProxyTestSupport.freePort()
            let out = "\(prefix)/\(c.siteOnly ? "site.conf" : "nginx.conf")"
            let r = try TestSupport.wstune(
                RenderMatrix.arguments(c, target: "nginx", port: port, prefix: prefix, tls: tls) + ["--out", out])
            XCTAssertEqual(r.status, 0, "\(c.name): \(r.stderr)")
            var file = out
            if c.siteOnly {
                // A site is an http-context snippet: include it from a minimal main config, as conf.d does.
                file = "\(prefix)/main.conf"
                try """
                pid \(prefix)/nginx.pid;
                events {}
                http {
                    access_log \(prefix)/access.log;
                    client_body_temp_path \(prefix)/b; proxy_temp_path \(prefix)/p; fastcgi_temp_path \(prefix)/f;
                    uwsgi_temp_path \(prefix)/u; scgi_temp_path \(prefix)/s;
                    include \(out);
                }
                """.write(toFile: file, atomically: true, encoding: .utf8)
            }
            let t = try ProxyTestSupport.nginxTest(file, prefix: prefix)
            XCTAssertEqual(t.status, 0, "\(c.name): nginx -t: \(t.stderr)")
            XCTAssertEqual(t.stderr, "", "\(c.name): nginx -t -q printed warnings")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            XCTAssertEqual(text.contains("ssl_protocols TLSv1.2 TLSv1.3;"), c.tls, c.name)
        }
    }

    func testMatrixRendersConfigsTheRealHAProxyAccepts() throws {
        try ProxyTestSupport.requireTool("haproxy")
        let dir = try TestSupport.temporaryDirectory("wst-render-haproxy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tls = try ProxyTestSupport.makeCertificate(in: dir)
        for c in RenderMatrix.cases where !c.siteOnly {
            let out = dir.appendingPathComponent("\(c.name).cfg").path
            let args = RenderMatrix.arguments(
                c, target: "haproxy", port: try ProxyTestSupport.freePort(), prefix: dir.path, tls: tls)
            let r = try TestSupport.wstune(args + ["--out", out])
            XCTAssertEqual(r.status, 0, "\(c.name): \(r.stderr)")
            let t = try ProxyTestSupport.haproxyCheck(out)
            XCTAssertEqual(t.status, 0, "\(c.name): haproxy -c: \(t.stdout)\(t.stderr)")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            XCTAssertTrue(text.contains("timeout tunnel"), c.name)
            XCTAssertFalse(text.contains("uri /ws"), "\(c.name): health check must not hit the WebSocket path")
        }
    }

    func testSystemdUnitPassesVerifyAndScoresWellOnSecurity() throws {
        try ProxyTestSupport.requireTool("systemd-analyze")
        let dir = try TestSupport.temporaryDirectory("wst-render-systemd")
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in RenderMatrix.cases {
            let port = try ProxyTestSupport.freePort()
            let unit = dir.appendingPathComponent("wst-\(c.name)@.service").path
            let args = RenderMatrix.arguments(c, target: "systemd", port: port, prefix: dir.path, tls: nil)
            let r = try TestSupport.wstune(args + ["--name", "wst-\(c.name)", "--out", unit])
            XCTAssertEqual(r.status, 0, "\(c.name): \(r.stderr)")
            let instance = dir.appendingPathComponent("wst-\(c.name)@\(port).service").path
            let v = try TestSupport.run(["systemd-analyze", "verify", "--recursive-errors=no", instance])
            XCTAssertEqual(v.status, 0, "\(c.name): \(v.stderr)")
            XCTAssertEqual(
                v.stderr.trimmingCharacters(in: .whitespacesAndNewlines), "", "\(c.name): verify printed: \(v.stderr)")
            let s = try TestSupport.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", instance])
            let line =
                s.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") }.map(String.init) ?? ""
            let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
            XCTAssertNotNil(score, "\(c.name): \(s.stdout)\(s.stderr)")
            XCTAssertLessThanOrEqual(score ?? 10, 1.5, "\(c.name): \(line)")
            let text = try String(contentsOfFile: unit, encoding: .utf8)
            XCTAssertTrue(text.contains("ExecStart=/usr/bin/python3 -m http.server %i"), c.name)
        }
    }

    func testCheckFlagRunsTheValidatorsAndFailsOnABrokenOverride() throws {
        try ProxyTestSupport.requireTool("nginx")
        try ProxyTestSupport.requireTool("haproxy")
        let dir = try TestSupport.temporaryDirectory("wst-render-check")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try ProxyTestSupport.freePort()
        for target in ["nginx", "haproxy"] {
            // A target this host's fd limit allows (render --check also judges the limit a proxy really gets here).
            let ok = try TestSupport.wstune([
                "render", target, "--listen", "127.0.0.1:\(port)", "--connections", "1000", "--check",
            ])
            XCTAssertEqual(ok.status, 0, "\(target): \(ok.stderr)")
            XCTAssertTrue(
                ok.stderr.contains(target == "nginx" ? "ok   nginx: nginx -t" : "ok   haproxy: haproxy -dW -dr -c"),
                ok.stderr)
        }
        // An override that nginx rejects: --check must catch it (exit 1) and show nginx's message.
        let over = dir.appendingPathComponent("tpl")
        try FileManager.default.createDirectory(at: over, withIntermediateDirectories: true)
        try "proxy_pass http://{{upstream_name}};\nproxy_http_version 1.1;\nproxy_bogus_directive on;\n"
            .write(to: over.appendingPathComponent("nginx-proxy-headers.mustache"), atomically: true, encoding: .utf8)
        let bad = try TestSupport.wstune([
            "render", "nginx", "--listen", "127.0.0.1:\(port)", "--templates", over.path, "--check",
        ])
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("unknown directive \"proxy_bogus_directive\""), bad.stderr)
        // An override with a typo in a variable: an error naming the file and line, exit 2, no output.
        try "proxy_pass http://{{upstream_nmae}};\n".write(
            to: over.appendingPathComponent("nginx-proxy-headers.mustache"),
            atomically: true, encoding: .utf8)
        let typo = try TestSupport.wstune(["render", "nginx", "--templates", over.path])
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(
            typo.stderr.contains("nginx-proxy-headers.mustache:1: unknown template variable 'upstream_nmae'"),
            typo.stderr)
        XCTAssertEqual(typo.stdout, "")
    }

    func testJSONCarriesTheConfigTheChecksAndTheValidation() throws {
        try ProxyTestSupport.requireTool("haproxy")
        let r = try TestSupport.wstune([
            "render", "haproxy", "--profile", "proxy", "--connections", "1000",
            "--listen", "127.0.0.1:\(try ProxyTestSupport.freePort())", "--check", "--json",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertTrue((obj["config"] as? String)?.contains("timeout tunnel 90s") ?? false, r.stdout)
        let checks = try XCTUnwrap(obj["checks"] as? [[String: Any]])
        XCTAssertTrue(checks.contains { $0["id"] as? String == "haproxy.fd-limit" && $0["passed"] as? Bool == true })
        let validation = try XCTUnwrap(obj["validation"] as? [[String: Any]])
        XCTAssertEqual(validation.first?["outcome"] as? String, "passed")
    }

    func testFdArithmeticFailureIsReported() throws {
        let dir = try TestSupport.temporaryDirectory("wst-render-fd")
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = dir.appendingPathComponent("tight.yaml").path
        try "name: tight\nconnections: 100000\nsettings:\n  proxy_nofile: 65536\n".write(
            toFile: profile, atomically: true, encoding: .utf8)
        let r = try TestSupport.wstune(["render", "haproxy", "--profile", profile])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("FAIL haproxy.fd-limit"), r.stderr)
    }
}
