import XCTest

@testable import Tuning

final class ProfileTests: XCTestCase {
    func testShippedProfilesResolveWithInheritance() throws {
        let g = try Fixtures.profile("gateway-1m")
        XCTAssertEqual(g.connections.value, 1_000_000)
        XCTAssertEqual(g.connections.origin, .explicit(profile: "gateway-1m"))
        XCTAssertEqual(g.includes, ["server-100k", "dev"])
        XCTAssertEqual(g.listenPorts.value, [8080])
        XCTAssertEqual(g.listenPorts.origin, .inherited(from: "dev"))
        XCTAssertEqual(g.proxy.origin, .derived)
        let p = try Fixtures.profile("proxy")
        XCTAssertTrue(p.proxy.value)
        XCTAssertEqual(p.backendAddresses.value, 4)
        XCTAssertEqual(
            Set(ProfileStore(directories: [Fixtures.profiles]).names()), ["dev", "gateway-1m", "proxy", "server-100k"])
    }

    func testConnectionsOverride() throws {
        let p = try Fixtures.profile("dev", connections: 42)
        XCTAssertEqual(p.connections.value, 42)
        XCTAssertEqual(p.connections.origin, .explicit(profile: "--connections"))
    }

    func testIncludeCycleRejected() throws {
        let dir = try Fixtures.profileDir(["a.yaml": "include: b\nconnections: 1\n", "b.yaml": "include: a\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try ProfileStore(directories: [dir.path]).load("a")) { e in
            XCTAssertEqual(e as? ProfileError, .includeCycle(chain: ["a.yaml", "b.yaml", "a.yaml"]))
        }
    }

    func testUnknownKeyNamesFileAndLine() throws {
        let dir = try Fixtures.profileDir(["x.yaml": "name: x\nconnections: 10\nconections: 5\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try ProfileStore(directories: [dir.path]).load("x")) { e in
            XCTAssertEqual("\(e)", "\(dir.path)/x.yaml:3: unknown key 'conections'")
        }
    }

    func testBadValuesAndSyntaxNameTheKey() throws {
        let dir = try Fixtures.profileDir([
            "neg.yaml": "connections: -5\n", "port.yaml": "connections: 5\nlisten_ports: [80, 70000]\n",
            "set.yaml": "connections: 5\nsettings:\n  net.core.somaxcon: 10\n", "syn.yaml": "connections: [1\n",
            "none.yaml": "name: none\n", "ct.yaml": "connections: 5\nconntrack: maybe\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ProfileStore(directories: [dir.path])
        func message(_ n: String) -> String {
            do { _ = try store.load(n); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(
            message("neg").hasSuffix("neg.yaml:1: connections: expected a positive whole number, got '-5'"),
            message("neg"))
        XCTAssertTrue(message("port").contains("port.yaml:2: listen_ports: port 70000 is above 65535"), message("port"))
        XCTAssertTrue(message("set").hasSuffix("set.yaml:3: unknown key 'settings.net.core.somaxcon'"), message("set"))
        XCTAssertTrue(message("syn").contains("syn.yaml:"), message("syn"))
        XCTAssertTrue(message("syn").contains("YAML syntax"), message("syn"))
        XCTAssertTrue(message("none").hasSuffix("none.yaml: missing required key 'connections'"), message("none"))
        XCTAssertTrue(message("ct").contains("expected auto, on or off"), message("ct"))
        XCTAssertTrue(message("missing").contains("profile 'missing' not found"), message("missing"))
    }

    func testSettingsOverrideTheModel() throws {
        let dir = try Fixtures.profileDir([
            "base.yaml": "connections: 1000\nsettings:\n  net.core.somaxconn: 30000\n",
            "child.yaml": "include: base\nsettings:\n  nofile: 5000\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try ProfileStore(directories: [dir.path]).load("child")
        XCTAssertEqual(p.settings["net.core.somaxconn"]?.origin, .inherited(from: "base"))
        XCTAssertEqual(p.settings["nofile"]?.origin, .explicit(profile: "child"))
        let n = CapacityModel.needs(for: p)
        XCTAssertEqual(n.somaxconn, 30000)
        XCTAssertEqual(n.serverNofile, 5000)
    }
}
