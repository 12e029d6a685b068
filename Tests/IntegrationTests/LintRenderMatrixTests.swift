import Foundation
import Tuning
import XCTest

/// Configs produced by `wstune render` lint clean, for the whole render matrix, on a host whose proxy unit has
/// the LimitNOFILE the tuning gives it (CapacityModel's proxyNofile, as `apply` writes in a drop-in).
final class LintRenderMatrixTests: XCTestCase {
    func testRenderedConfigsLintClean() throws {
        let dir = try TestSupport.temporaryDirectory("wst-lint-render")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tls = try ProxyTestSupport.makeCertificate(in: dir)
        for c in RenderMatrix.cases {
            let profile = c.args[c.args.firstIndex(of: "--profile")! + 1]
            var p = try ProfileStore(directories: [TestSupport.packageRoot.appendingPathComponent("profiles").path])
                .load(profile)
            p.proxy = Sourced(true, p.proxy.origin)
            let proxyNofile = try XCTUnwrap(CapacityModel.needs(for: p).proxyNofile)
            let root = dir.appendingPathComponent(c.name)
            for unit in ["nginx", "haproxy"] {
                let dropIn = root.appendingPathComponent("etc/systemd/system/\(unit).service.d")
                try FileManager.default.createDirectory(at: dropIn, withIntermediateDirectories: true)
                try "[Service]\nLimitNOFILE=\(proxyNofile)\n".write(
                    to: dropIn.appendingPathComponent("90-wstune.conf"), atomically: true, encoding: .utf8)
            }
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("etc/ws"), withIntermediateDirectories: true)
            var targets = ["haproxy", "systemd"]
            if !c.siteOnly { targets.insert("nginx", at: 0) }  // a site alone has no main context to judge
            for target in targets {
                let file = target == "systemd" ? "/etc/ws/wst-ws@.service" : "/etc/ws/\(target).conf"
                let args = RenderMatrix.arguments(c, target: target, port: 8080, prefix: root.path, tls: tls)
                let r = try TestSupport.wstune(args + ["--out", root.path + file])
                XCTAssertEqual(r.status, 0, "\(c.name) \(target): \(r.stderr)")
                let lint = try TestSupport.wstune([
                    "lint", target, file, "--root", root.path,
                    "--profile", profile, "--path", c.args.contains("/socket") ? "/socket" : "/ws",
                    "--fail-on", "warn", "--json",
                ])
                XCTAssertEqual(lint.stderr, "", "\(c.name) \(target)")
                let raised = try LintFixtureValidatorTests.raised(lint.stdout)
                XCTAssertEqual(raised, [], "\(c.name) \(target): \(lint.stdout)")
                XCTAssertEqual(lint.status, 0, "\(c.name) \(target): \(lint.stderr)")
            }
        }
    }
}
