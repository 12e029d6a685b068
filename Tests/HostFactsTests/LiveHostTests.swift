import Foundation
import XCTest

@testable import HostFacts

/// Compares HostFacts on this machine with independent readers: `sysctl -n`, and the kernel's getrlimit.
final class LiveHostTests: XCTestCase {
    func sysctlN(_ key: String) throws -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sysctl", "-n", key]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    func testEverySysctlMatchesSysctlN() throws {
        let reader = Sysctls(root: HostRoot("/"))
        var compared = 0
        for key in SysctlKey.all where key.name != "fs.file-nr" && key.name != "net.netfilter.nf_conntrack_count" {
            let ours = try reader.read(key)
            let theirs = try sysctlN(key.name)
            XCTAssertEqual(ours == nil, theirs == nil, "presence of \(key)")
            if let ours, let theirs {
                XCTAssertEqual(ours, SysctlValue(theirs), "\(key)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 15)
    }

    func testOwnNofileMatchesGetrlimit() throws {
        var rl = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
        let ours = try XCTUnwrap(ProcessLimits.readNofile(root: HostRoot("/")))
        let inf = rlim_t.max
        XCTAssertEqual(ours.soft, rl.rlim_cur == inf ? nil : Int(rl.rlim_cur))
        XCTAssertEqual(ours.hard, rl.rlim_max == inf ? nil : Int(rl.rlim_max))
    }
}
