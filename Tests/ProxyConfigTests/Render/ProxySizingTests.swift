import Tuning
import XCTest

@testable import ProxyConfig

final class ProxySizingTests: XCTestCase {
    private func profile(_ n: Int, ping: Int = 30, settings: [String: Int] = [:]) -> Profile {
        Profile(
            name: "t", connections: Sourced(n, .derived), pingIntervalSeconds: Sourced(ping, .derived),
            settings: settings.mapValues { Sourced($0, .derived) })
    }

    func testWorkersHoldTwiceTheTargetWithinTheProxyUnitLimitForEveryShape() {
        for n in [1, 100, 10_000, 100_000, 1_000_000] {
            for workers in [1, 2, 3, 4, 16] {
                var o = RenderOptions()
                o.workerProcesses = workers
                let s = ProxySizing(profile: profile(n), options: o, cpuCount: 2)
                let label = "N=\(n) W=\(workers)"
                // Independent of the code's formulas: the arithmetic the issue states.
                XCTAssertGreaterThanOrEqual(workers * s.workerConnections, 2 * n, label)
                XCTAssertGreaterThanOrEqual(s.workerRlimitNofile, s.workerConnections + 16, label)
                XCTAssertLessThanOrEqual(s.workerRlimitNofile, s.proxyNofile, label)
                XCTAssertEqual(
                    s.proxyNofile,
                    CapacityModel.needs(
                        for: {
                            var p = profile(n); p.proxy = Sourced(true, .derived); return p
                        }()
                    ).proxyNofile, label)
                XCTAssertLessThanOrEqual(2 * s.haproxyMaxconn + 11 + 3 * workers + 1, s.proxyNofile, label)
                XCTAssertTrue(s.checks(for: .nginx).allSatisfy(\.passed), label)
                XCTAssertTrue(s.checks(for: .haproxy).allSatisfy(\.passed), label)
                XCTAssertTrue(s.checks(for: .systemd).allSatisfy(\.passed), label)
            }
        }
    }

    func testManyWorkersOnATinyUnitLimitFailTheWorkerFdCheck() {
        var o = RenderOptions()
        o.workerProcesses = 64
        // One connection: the tuning gives the proxy 2 + 64 fds, less than 64 workers' own files.
        let s = ProxySizing(profile: profile(1), options: o, cpuCount: 2)
        XCTAssertFalse(s.checks(for: .nginx).first { $0.id == "nginx.worker-fds" }!.passed)
        XCTAssertFalse(s.checks(for: .haproxy).first { $0.id == "haproxy.fd-limit" }!.passed)
    }

    func testAPinnedProxyNofileTooLowFailsTheUnitCheck() {
        let s = ProxySizing(
            profile: profile(100_000, settings: ["proxy_nofile": 65_536]), options: RenderOptions(), cpuCount: 1)
        XCTAssertEqual(s.proxyNofile, 65_536)
        XCTAssertFalse(s.checks(for: .nginx).first { $0.id == "nginx.worker-fds" }!.passed)
        XCTAssertFalse(s.checks(for: .haproxy).first { $0.id == "haproxy.fd-limit" }!.passed)
    }

    func testIdleTimeoutMustExceedTwicePing() {
        var o = RenderOptions()
        o.idleTimeoutSeconds = 60
        let s = ProxySizing(profile: profile(10, ping: 30), options: o, cpuCount: 1)
        XCTAssertFalse(s.checks(for: .nginx).first { $0.id == "proxy.idle-timeout" }!.passed)
        XCTAssertEqual(
            ProxySizing(profile: profile(10, ping: 30), options: RenderOptions(), cpuCount: 1).idleTimeoutSeconds, 90)
    }
}
