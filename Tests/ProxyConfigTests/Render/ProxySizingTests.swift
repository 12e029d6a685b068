import XCTest
import Tuning

@testable import ProxyConfig

final class ProxySizingTests: XCTestCase {
    private func profile(_ n: Int, ping: Int = 30, settings: [String: Int] = [:]) -> Profile {
        Profile(name: "t", connections: Sourced(n, .derived), pingIntervalSeconds: Sourced(ping, .derived),
                settings: settings.mapValues { Sourced($0, .derived) })
    }

    func testWorkersHoldTwiceTheTargetWithinTheProxyUnitLimitForEveryShape() {
        for n in [1, 100, 10_000, 100_000, 1_000_000] {
            for workers in [1, 2, 3, 4, 16, 64] {
                var o = RenderOptions()
                o.workerProcesses = workers
                let s = ProxySizing(profile: profile(n), options: o, cpuCount: 2)
                let label = "N=\(n) W=\(workers)"
                // Independent of the code's formulas: the arithmetic the issue states.
                XCTAssertGreaterThanOrEqual(workers * s.workerConnections, 2 * n, label)
                XCTAssertGreaterThanOrEqual(s.workerRlimitNofile, s.workerConnections, label)
                XCTAssertLessThanOrEqual(s.workerRlimitNofile, 2 * n + 1024, label)
                XCTAssertLessThanOrEqual(2 * s.haproxyMaxconn, s.proxyNofile, label)
                XCTAssertTrue(s.checks(for: .nginx).allSatisfy(\.passed), label)
                XCTAssertTrue(s.checks(for: .haproxy).allSatisfy(\.passed), label)
                XCTAssertTrue(s.checks(for: .systemd).allSatisfy(\.passed), label)
            }
        }
    }

    func testAPinnedProxyNofileTooLowFailsTheUnitCheck() {
        let s = ProxySizing(profile: profile(100_000, settings: ["proxy_nofile": 65_536]), options: RenderOptions(), cpuCount: 1)
        XCTAssertEqual(s.proxyNofile, 65_536)
        XCTAssertFalse(s.checks(for: .nginx).first { $0.id == "nginx.unit-nofile" }!.passed)
        XCTAssertFalse(s.checks(for: .haproxy).first { $0.id == "haproxy.fd-limit" }!.passed)
    }

    func testIdleTimeoutMustExceedTwicePing() {
        var o = RenderOptions()
        o.idleTimeoutSeconds = 60
        let s = ProxySizing(profile: profile(10, ping: 30), options: o, cpuCount: 1)
        XCTAssertFalse(s.checks(for: .nginx).first { $0.id == "proxy.idle-timeout" }!.passed)
        XCTAssertEqual(ProxySizing(profile: profile(10, ping: 30), options: RenderOptions(), cpuCount: 1).idleTimeoutSeconds, 90)
    }
}
