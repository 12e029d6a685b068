import Foundation
import XCTest

/// Replays the committed fuzz corpus (Tests/Fuzz/corpus/<target>/: every hostile input of issue 13 and what
/// libFuzzer found) through the plain-build fuzz executables, one process per input, so a trap, stack overflow
/// or hang shows up as that process's exit status or time instead of killing the test run.
/// Each input must parse in under 2 s (measured in-process by the replayer) and end with exit 0.
final class FuzzCorpusReplayTests: XCTestCase {
    static let products = ["nginx": "FuzzNginx", "nginx-dump": "FuzzNginxDump", "haproxy": "FuzzHAProxy", "systemd": "FuzzSystemd",
                           "sysctl": "FuzzSysctl", "limits": "FuzzLimits", "profile": "FuzzProfile", "proc": "FuzzProc"]

    static var corpus: URL { TestSupport.packageRoot.appendingPathComponent("Tests/Fuzz/corpus") }

    func testEveryCorpusInputParsesWithoutCrashOrHang() throws {
        let binDir = URL(fileURLWithPath: TestSupport.wstuneBinary).deletingLastPathComponent()
        let targets = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        XCTAssertTrue(Set(Self.products.keys).isSubset(of: targets), "a corpus directory per target: \(targets)")
        var replayed = 0
        for target in targets {
            let product = try XCTUnwrap(Self.products[target], "Tests/Fuzz/corpus/\(target): no fuzz target of that name")
            let binary = binDir.appendingPathComponent(product).path
            XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), "\(binary) not built (swift build builds it)")
            let dir = Self.corpus.appendingPathComponent(target)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
                let file = dir.appendingPathComponent(name).path
                let r = try TestSupport.run([binary, file], timeoutSeconds: 20)
                XCTAssertEqual(r.status, 0, "\(target)/\(name): exit \(r.status) (a trap or a hang): \(r.stderr.prefix(1500))")
                let ms = r.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) }
                XCTAssertNotNil(ms, "\(target)/\(name): \(r.stdout)")
                XCTAssertLessThan(ms ?? .max, 2000, "\(target)/\(name) took \(ms ?? -1) ms")
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, 40)
    }

    /// The replayer fails loudly on an input it cannot read (it never passes an input it did not parse).
    func testReplayerFailsOnAnInputItCannotRead() throws {
        let binary = URL(fileURLWithPath: TestSupport.wstuneBinary).deletingLastPathComponent().appendingPathComponent("FuzzNginx").path
        let r = try TestSupport.run([binary, "/nonexistent/wst-13b-input"], timeoutSeconds: 20)
        XCTAssertEqual(r.status, 2, r.stderr)
    }
}
