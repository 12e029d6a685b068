import Foundation
import Tuning
import XCTest

@testable import ProxyConfig

final class ConfigRendererTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let renderer = ConfigRenderer(templateDirectories: [root.appendingPathComponent("templates").path], cpuCount: 2)

    func profile(_ name: String) throws -> Profile {
        try ProfileStore(directories: [Self.root.appendingPathComponent("profiles").path]).load(name)
    }

    func testDefaultsPutTheProxyOn80InFrontOfTheProfilesServerPort() throws {
        let text = try renderer.render(.nginx, profile: profile("dev"), options: RenderOptions()).text
        let http = try XCTUnwrap(try NginxParser.parse(text, file: "r").first { $0.name == "http" })
        XCTAssertEqual(http.first("server")?.first("listen")?.args, ["80", "reuseport"])
        XCTAssertEqual(http.first("upstream")?.children("server").map(\.args), [["127.0.0.1:8080"]])
        var tls = RenderOptions()
        tls.tlsCertificate = "/c.pem"
        tls.tlsKey = "/c.pem.key"
        let proxied = try renderer.render(.haproxy, profile: profile("proxy"), options: tls).text
        XCTAssertTrue(proxied.contains("bind :443 ssl crt /c.pem"), proxied)
    }

    func testEveryProxyingLocationCarriesTheWholeHeaderSet() throws {
        var o = RenderOptions()
        o.backends = [HostPort(host: "10.0.0.1", port: 1), HostPort(host: "10.0.0.2", port: 2)]
        let text = try renderer.render(.nginx, profile: profile("proxy"), options: o).text
        let http = try XCTUnwrap(try NginxParser.parse(text, file: "r").first { $0.name == "http" })
        let locations = try XCTUnwrap(http.first("server")).children("location").filter {
            $0.first("proxy_pass") != nil
        }
        XCTAssertEqual(locations.map(\.args), [["/ws"], ["/"]])
        for loc in locations {
            let headers = Set(loc.children("proxy_set_header").compactMap(\.args.first))
            XCTAssertEqual(
                headers,
                [
                    "Upgrade", "Connection", "Host", "X-Real-IP", "X-Forwarded-For", "X-Forwarded-Proto",
                    "X-Forwarded-Host",
                ])
            XCTAssertEqual(loc.first("proxy_http_version")?.args, ["1.1"])
            XCTAssertEqual(loc.first("proxy_buffering")?.args, ["off"])
        }
        XCTAssertEqual(http.first("upstream")?.children("server").count, 2)
    }

    func testHAProxyKeepsTheTunnelTimeoutOutOfTheFrontendAndChecksReadyz() throws {
        let c = HAProxyConfig.parse(
            try renderer.render(.haproxy, profile: profile("proxy"), options: RenderOptions()).text, file: "h")
        XCTAssertEqual(c.errors, [])
        let fe = try XCTUnwrap(c.sections.first { $0.kind == "frontend" })
        let be = try XCTUnwrap(c.sections.first { $0.kind == "backend" })
        XCTAssertNil(fe.last(["timeout", "tunnel"]))
        XCTAssertEqual(c.effective(["timeout", "tunnel"], in: be)?.words, ["timeout", "tunnel", "90s"])
        XCTAssertEqual(be.last(["http-check", "send"])?.words.contains("/readyz"), true)
        XCTAssertEqual(c.global?.last(["maxconn"])?.words, ["maxconn", "100000"])
    }
}
