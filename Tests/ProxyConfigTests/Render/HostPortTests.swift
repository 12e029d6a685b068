import XCTest

@testable import ProxyConfig

final class HostPortTests: XCTestCase {
    func testParsesPortHostPortAndBracketedIPv6() throws {
        XCTAssertEqual(
            try HostPort.parse("8080", requireHost: false, option: "--listen"), HostPort(host: nil, port: 8080))
        XCTAssertEqual(
            try HostPort.parse("10.0.0.5:9000", requireHost: true, option: "--backend"),
            HostPort(host: "10.0.0.5", port: 9000))
        let v6 = try HostPort.parse("[::1]:443", requireHost: true, option: "--backend")
        XCTAssertEqual(v6, HostPort(host: "::1", port: 443))
        XCTAssertEqual(v6.description, "[::1]:443")
    }

    func testRejectsMissingHostBadPortsAndInjection() {
        for (text, needHost) in [
            ("8080", true), ("h:0", true), ("h:70000", true), ("::1:80", true), ("a;b:80", true), ("x", false),
        ] {
            XCTAssertThrowsError(try HostPort.parse(text, requireHost: needHost, option: "--backend"), text)
        }
    }
}
