import Foundation
import XCTest

@testable import HostFacts

/// The unit resolver and parser on fixture trees and strings. The same cases run against a real systemd in
/// Tests/IntegrationTests/SystemdResolverTests.swift, which is where the expected values come from.
final class SystemdUnitResolverTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wst-15-resolver-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func write(_ files: [String: String]) throws -> HostRoot {
        for (rel, text) in files {
            let p = dir.appendingPathComponent(rel)
            try FileManager.default.createDirectory(
                at: p.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: p)
        }
        return HostRoot(dir.path)
    }

    func rel(_ paths: [String]) -> [String] { paths.map { String($0.dropFirst(dir.path.count + 1)) } }

    static let sleeper = "[Service]\nExecStart=/bin/sleep infinity\n"

    // issue 15 item 3: audit ignored the type-wide service.d/ (systemd ≥ 246) and said 200,000 where systemd says 2048.
    func testTypeWideDropInOverridesTheUnit() throws {
        let root = try write([
            "lib/systemd/system/chat.service": Self.sleeper + "LimitNOFILE=200000\n",
            "etc/systemd/system/service.d/10-limits.conf": "[Service]\nLimitNOFILE=2048\n",
        ])
        let r = try SystemdUnitLimits(root: root).fromFiles(unit: "chat")
        XCTAssertEqual(r.limit, FileLimit(soft: 2048, hard: 2048))
        XCTAssertTrue(r.origin.hasSuffix("etc/systemd/system/service.d/10-limits.conf:2"), r.origin)
    }

    // Dash prefixes: chat-eu-west.service reads chat-eu-.service.d/ and chat-.service.d/; per search directory the
    // most specific first, the type-wide service.d/ of every directory last; the first file of a name wins.
    func testDropInDirectoriesInSystemdsOrder() throws {
        XCTAssertEqual(
            SystemdUnitResolver.dropInDirectories(for: "chat-eu-west.service"),
            ["chat-eu-west.service", "chat-eu-.service", "chat-.service"])
        XCTAssertEqual(
            SystemdUnitResolver.dropInDirectories(for: "chat-eu@8080.service"),
            ["chat-eu@8080.service", "chat-eu@.service", "chat-.service"])
        XCTAssertEqual(
            SystemdUnitResolver.dropInDirectories(for: "web@a-b.service"), ["web@a-b.service", "web@.service"])
        XCTAssertEqual(SystemdUnitResolver.dropInDirectories(for: "-x.service"), ["-x.service"])
        let root = try write([
            "usr/lib/systemd/system/chat-eu-west.service": Self.sleeper + "LimitNOFILE=1111\n",
            "etc/systemd/system/chat-.service.d/40-dash.conf": "[Service]\nLimitNOFILE=3333\n",
            "etc/systemd/system/chat-eu-.service.d/45-dash.conf": "[Service]\nLimitNOFILE=4444\n",
            "usr/lib/systemd/system/chat-eu-west.service.d/50-same.conf": "[Service]\nLimitNOFILE=5555\n",
            "etc/systemd/system/chat-.service.d/50-same.conf": "[Service]\nLimitNOFILE=6666\n",
            "etc/systemd/system/service.d/50-same.conf": "[Service]\nLimitNOFILE=7777\n",
        ])
        let u = try SystemdUnitResolver(root: root).resolve("chat-eu-west")
        XCTAssertEqual(
            rel(u.dropIns),
            [
                "etc/systemd/system/chat-.service.d/40-dash.conf", "etc/systemd/system/chat-eu-.service.d/45-dash.conf",
                "etc/systemd/system/chat-.service.d/50-same.conf",
            ])
        XCTAssertEqual(u.limit().limit, FileLimit(soft: 6666, hard: 6666))
    }

    // An instance's own file anywhere in the search path beats its template; a /dev/null drop-in masks its name.
    func testInstancesTemplatesAndMasks() throws {
        let root = try write([
            "etc/systemd/system/web@.service": Self.sleeper + "LimitNOFILE=100\n",
            "usr/lib/systemd/system/web@b.service": Self.sleeper + "LimitNOFILE=200\n",
            "etc/systemd/system/web@.service.d/10-x.conf": "[Service]\nLimitNOFILE=400\n",
        ])
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("etc/systemd/system/web@d.service.d"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/etc/systemd/system/web@d.service.d/10-x.conf", withDestinationPath: "/dev/null")
        let resolver = SystemdUnitResolver(root: root)
        XCTAssertEqual(rel([try resolver.resolve("web@b").fragment ?? ""]), ["usr/lib/systemd/system/web@b.service"])
        XCTAssertEqual(try resolver.resolve("web@b").limit().limit, FileLimit(soft: 400, hard: 400))
        XCTAssertEqual(try resolver.resolve("web@d").limit().limit, FileLimit(soft: 100, hard: 100))
        XCTAssertEqual(try resolver.resolve("nope").loadState, .notFound)
        // Not installed yet but with a drop-in (apply's): not found, and the drop-in is still read.
        _ = try write(["etc/systemd/system/pending.service.d/90-wstune.conf": "[Service]\nLimitNOFILE=9000\n"])
        XCTAssertEqual(try resolver.resolve("pending").loadState, .notFound)
        XCTAssertEqual(try resolver.resolve("pending").limit().limit, FileLimit(soft: 9000, hard: 9000))
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/etc/systemd/system/gone.service", withDestinationPath: "/dev/null")
        XCTAssertEqual(try resolver.resolve("gone").loadState, .masked)
        // An absolute link is followed inside the root, never out of it.
        _ = try write([
            "usr/lib/systemd/system/real.service": Self.sleeper + "LimitNOFILE=200\n",
            "etc/systemd/system/real.service.d/10-r.conf": "[Service]\nLimitNOFILE=300\n",
        ])
        try FileManager.default.createSymbolicLink(
            atPath: dir.path + "/etc/systemd/system/alias.service",
            withDestinationPath: "/usr/lib/systemd/system/real.service")
        // The alias's target name brings its drop-ins.
        XCTAssertEqual(try resolver.resolve("alias").limit().limit, FileLimit(soft: 300, hard: 300))
    }

    // issue 13: a FIFO as the unit file used to block forever; it is refused by name.
    func testFifoIsRefusedByName() throws {
        let root = try write(["etc/systemd/system/.keep": ""])
        XCTAssertEqual(mkfifo(dir.path + "/etc/systemd/system/fifo.service", 0o644), 0)
        XCTAssertThrowsError(try SystemdUnitResolver(root: root).resolve("fifo")) { e in
            XCTAssertTrue("\(e)".contains("fifo.service") && "\(e)".contains("FIFO"), "\(e)")
        }
    }

    // issue 13: CRLF used to make the unit one line (LimitNOFILE fell back to 1024). Also a lone CR, a BOM, a
    // comment inside a continuation, and LimitNOFILE= in [Unit]/[Install], which systemd ignores.
    func testParserReadsLinesAsSystemd() {
        let crlf = UnitFileParser.parse("[Service]\r\nLimitNOFILE=4242\r\n", file: "f")
        XCTAssertEqual(crlf.assignments.map(\.value), ["4242"])
        XCTAssertEqual(UnitFileParser.parse("[Service]\rLimitNOFILE=1\r", file: "f").assignments.map(\.line), [2])
        XCTAssertEqual(
            UnitFileParser.parse("\u{FEFF}[Service]\nA=1\n", file: "f").assignments.map(\.section), ["Service"])
        let cont = UnitFileParser.parse("[Service]\nLimitNOFILE=45\\\n# c\n 46\n", file: "f")
        XCTAssertEqual(cont.assignments.map(\.value), ["45  46"])
        let sect = UnitFileParser.parse("[Unit]\nLimitNOFILE=9\n[Service]\nX=1\n[Install]\nLimitNOFILE=8\n", file: "f")
        let r = UnitLimitResolution.resolve("LimitNOFILE", in: "Service", sect.assignments)
        XCTAssertNil(r.limit)
        XCTAssertEqual(r.misplaced.map(\.line), [2, 6])
        XCTAssertTrue(UnitFileParser.parse("[Service\nA=1\n", file: "f").problems.first?.refusesUnit ?? false)
        XCTAssertFalse(UnitFileParser.parse("[Service]\nno equals\n", file: "f").problems.first?.refusesUnit ?? true)
    }

    // Values as systemd 252 reads them (each checked with systemctl show in the container test).
    func testLimitValues() {
        func v(_ s: String) -> FileLimit? { if case .success(let l) = UnitLimitValue.parse(s) { return l }; return nil }
        XCTAssertEqual(v("0x1000"), FileLimit(soft: 4096, hard: 4096))
        XCTAssertEqual(v("010"), FileLimit(soft: 8, hard: 8))
        XCTAssertEqual(v("0o17"), FileLimit(soft: 15, hard: 15))
        XCTAssertEqual(v("0b101"), FileLimit(soft: 5, hard: 5))
        XCTAssertEqual(v("+5"), FileLimit(soft: 5, hard: 5))
        XCTAssertEqual(v("-0"), FileLimit(soft: 0, hard: 0))
        XCTAssertEqual(v("2048:infinity"), FileLimit(soft: 2048, hard: nil))
        XCTAssertEqual(v("4096: 8192"), FileLimit(soft: 4096, hard: 8192))
        XCTAssertEqual(v("18446744073709551614"), FileLimit(soft: Int.max, hard: Int.max))
        for bad in [
            "-5", "", "1K", "9999999999999G", "4096:2048", "infinity:2048", "18446744073709551615", "08", "0x",
            "1e3", "Infinity", "4096 :8192", "1000:", "99999999999999999999999",
        ] {
            XCTAssertNil(v(bad), "systemd refuses LimitNOFILE=\(bad)")
        }
        // A refused value is ignored: the assignment before it stays.
        let a = UnitFileParser.parse("[Service]\nLimitNOFILE=777\nLimitNOFILE=-5\n", file: "u")
        let r = UnitLimitResolution.resolve("LimitNOFILE", in: "Service", a.assignments)
        XCTAssertEqual(r.limit, FileLimit(soft: 777, hard: 777))
        XCTAssertEqual(r.ignored.map(\.line), [3])
    }

    func testUnitNames() {
        XCTAssertEqual(try SystemdUnitResolver.fullName("chat"), "chat.service")
        XCTAssertEqual(try SystemdUnitResolver.fullName("chat@8080.service"), "chat@8080.service")
        for bad in ["../etc/passwd", "a b", "", ".service", String(repeating: "x", count: 300)] {
            XCTAssertThrowsError(try SystemdUnitResolver.fullName(bad), bad)
        }
    }
}
