import Foundation
import XCTest

/// `wstune --version` answers before swift-argument-parser runs (a start-up fast path, Benchmarks/startup). It must
/// print exactly what the parser prints for it: the line built from BuildInfo (version and the commit
/// scripts/stamp-commit wrote into Sources/CBuildInfo/commit.h), with the same exit status and the same handling of a
/// standard output that cannot be written. Every other command line still goes through the parser.
final class VersionFastPathTests: XCTestCase {
    /// "wstune <BuildInfo.version> (commit <WSTUNE_COMMIT or unknown>)\n", read from the sources the binary was
    /// built from.
    static func expectedVersionLine() throws -> String {
        let root = TestSupport.packageRoot
        let buildInfo = try String(
            contentsOf: root.appendingPathComponent("Sources/wstune/BuildInfo.swift"), encoding: .utf8)
        let version = try XCTUnwrap(
            buildInfo.split(separator: "\n").first { $0.contains("static let version = ") }?
                .split(separator: "\"").dropFirst().first, "BuildInfo.version")
        let header = try? String(
            contentsOf: root.appendingPathComponent("Sources/CBuildInfo/commit.h"), encoding: .utf8)
        let commit = header?.split(separator: "\"").dropFirst().first.map(String.init) ?? "unknown"
        return "wstune \(version) (commit \(commit))\n"
    }

    func testVersionPrintsBuildInfoLineOnly() throws {
        let r = try TestSupport.wstune(["--version"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // The build may stamp "-dirty" into commit.h after this binary was linked (scripts/bpf-build rewrites the
        // embedded BPF object on a fresh clone, and a later stamp sees the tree changed), so the commit is compared
        // without that suffix.
        func clean(_ line: String) -> String { line.replacingOccurrences(of: "-dirty)", with: ")") }
        XCTAssertEqual(clean(r.stdout), clean(try Self.expectedVersionLine()))
        XCTAssertTrue(r.stdout.hasPrefix("wstune ") && r.stdout.hasSuffix(")\n"), r.stdout)
        XCTAssertEqual(r.stderr, "")
    }

    /// `--version extra` and `--version --version` are not the fast path: the parser answers them (with the version,
    /// exit 0, as it always did), and the fast path's answer is the same bytes.
    func testVersionWithMoreArgumentsIsTheParsersAnswer() throws {
        let fast = try TestSupport.wstune(["--version"])
        for args in [["--version", "extra"], ["--version", "--version"]] {
            let r = try TestSupport.wstune(args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stdout, fast.stdout, "\(args)")
            XCTAssertEqual(r.stderr, "", "\(args)")
        }
        let typo = try TestSupport.wstune(["--versio"])
        XCTAssertEqual(typo.status, 64)
        XCTAssertEqual(typo.stdout, "")
        XCTAssertTrue(typo.stderr.hasPrefix("Error: Unknown option '--versio'\n"), typo.stderr)
    }

    func testHelpIsUnchanged() throws {
        let h = try TestSupport.wstune(["-h"])
        let help = try TestSupport.wstune(["help"])
        XCTAssertEqual(h.status, 0, h.stderr)
        XCTAssertEqual(h.stdout, help.stdout)
        XCTAssertEqual(h.stderr, "")
        XCTAssertTrue(h.stdout.hasPrefix("OVERVIEW: Get a Linux host ready to hold many WebSocket"), h.stdout)
        XCTAssertTrue(h.stdout.contains("--version"), h.stdout)
        XCTAssertTrue(h.stdout.contains("Show the version."), h.stdout)
    }

    /// A version line that cannot be written is exit 2 with one line on standard error, as for every command
    /// (CommandContext.finish): a full disk (/dev/full) and a closed standard output (`>&-`).
    func testUnwritableStandardOutputIsExit2() throws {
        let bin = TestSupport.wstuneBinary
        let full = try TestSupport.run(["/bin/sh", "-c", "exec \"$0\" --version >/dev/full", bin])
        XCTAssertEqual(full.status, 2)
        XCTAssertEqual(full.stderr, "wstune: cannot write to standard output: No space left on device\n")
        let closed = try TestSupport.run(["/bin/sh", "-c", "exec \"$0\" --version >&-", bin])
        XCTAssertEqual(closed.status, 2)
        XCTAssertEqual(closed.stderr, "wstune: cannot write to standard output: Bad file descriptor\n")
    }
}
