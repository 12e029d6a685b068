import Foundation
import XCTest

/// Replays the committed fuzz corpus (Tests/Fuzz/corpus/<target>/: every hostile input of issue 13 and what
/// libFuzzer found) through the plain-build fuzz executables, one process per input, so a trap, stack overflow
/// or hang shows up as that process's exit status or time instead of killing the test run.
/// Each input must parse in under 2 s (measured in-process by the replayer) and end with exit 0.
final class FuzzCorpusReplayTests: XCTestCase {
    /// Corpus directory → fuzz executable. The HostFacts directories are the ones 13a's corpus uses; a directory
    /// not listed here is replayed through every target (no parser may crash on any input).
    static let products = [
        "nginx": "FuzzNginx", "nginx-dump": "FuzzNginxDump", "haproxy": "FuzzHAProxy", "systemd": "FuzzSystemd",
        "sysctl-d": "FuzzSysctl", "limits-conf": "FuzzLimits", "profile": "FuzzProfile", "meminfo": "FuzzProc",
        "proc-net": "FuzzProc", "proc-limits": "FuzzProc", "sysctl-value": "FuzzProc",
    ]
    static let allProducts = [
        "FuzzNginx", "FuzzNginxDump", "FuzzHAProxy", "FuzzSystemd", "FuzzSysctl", "FuzzLimits", "FuzzProfile",
        "FuzzProc",
    ]

    /// The build folder holding the fuzz executables: next to the test bundle (WSTUNE_BIN may name an installed
    /// wstune elsewhere), else .build/debug.
    static var binDir: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("FuzzNginx").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return TestSupport.packageRoot.appendingPathComponent(".build/debug")
    }

    static var corpus: URL { TestSupport.packageRoot.appendingPathComponent("Tests/Fuzz/corpus") }

    func testEveryCorpusInputParsesWithoutCrashOrHang() throws {
        let binDir = Self.binDir
        let entries = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        let targets = entries.filter { e in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: Self.corpus.appendingPathComponent(e).path, isDirectory: &isDir) && isDir.boolValue
        }
        XCTAssertTrue(Set(["nginx", "nginx-dump", "haproxy"]).isSubset(of: targets), "corpus directories: \(targets)")
        var replayed = 0
        for target in targets {
            let dir = Self.corpus.appendingPathComponent(target)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
                let file = dir.appendingPathComponent(name).path
                for product in Self.products[target].map({ [$0] }) ?? Self.allProducts {
                    let binary = binDir.appendingPathComponent(product).path
                    XCTAssertTrue(
                        FileManager.default.isExecutableFile(atPath: binary),
                        "\(binary) not built (swift build builds it)")
                    let r = try TestSupport.run([binary, file], timeoutSeconds: 20)
                    XCTAssertEqual(
                        r.status, 0,
                        "\(product) \(target)/\(name): exit \(r.status) (a trap or a hang): \(r.stderr.prefix(1500))")
                    let ms = r.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) }
                    XCTAssertNotNil(ms, "\(product) \(target)/\(name): \(r.stdout)")
                    XCTAssertLessThan(ms ?? .max, 2000, "\(product) \(target)/\(name) took \(ms ?? -1) ms")
                }
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, 40)
    }

    /// The replayer fails loudly on an input it cannot read (it never passes an input it did not parse).
    func testReplayerFailsOnAnInputItCannotRead() throws {
        let binary = Self.binDir.appendingPathComponent("FuzzNginx").path
        let r = try TestSupport.run([binary, "/nonexistent/wst-13b-input"], timeoutSeconds: 20)
        XCTAssertEqual(r.status, 2, r.stderr)
    }
}
