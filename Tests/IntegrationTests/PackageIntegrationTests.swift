import Foundation
import XCTest

/// The Debian package built by scripts/package (scripts/test builds it before the suite runs): its contents, and
/// the installed binary running from a throwaway root.
final class PackageIntegrationTests: XCTestCase {
    static let packageDir = TestSupport.packageRoot.appendingPathComponent(".build-package")

    func debPath() throws -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Self.packageDir.path)) ?? []
        guard let deb = files.filter({ $0.hasSuffix(".deb") }).sorted().last else {
            XCTFail("no .deb in \(Self.packageDir.path): run scripts/package first (scripts/test does)")
            throw XCTSkip("no package")
        }
        return Self.packageDir.appendingPathComponent(deb).path
    }

    func testPackageInstallsAndRuns() throws {
        let deb = try debPath()
        let info = try TestSupport.run(["dpkg-deb", "--info", deb])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("Depends: libc6"), info.stdout)
        XCTAssertTrue(info.stdout.contains("libmnl0"), info.stdout)
        XCTAssertTrue(info.stdout.contains("libnetfilter-conntrack3"), info.stdout)
        let list = try TestSupport.run(["dpkg-deb", "-c", deb]).stdout
        for path in [
            "./usr/bin/wstune", "./usr/share/wstune/profiles/gateway-1m.yaml", "./usr/share/man/man1/wstune.1.gz",
            "./usr/share/bash-completion/completions/wstune", "./usr/share/zsh/vendor-completions/_wstune",
            "./usr/share/fish/vendor_completions.d/wstune.fish", "./lib/systemd/system/wstune-serve@.service",
        ] {
            XCTAssertTrue(list.contains(path), "package lacks \(path)")
        }
        XCTAssertTrue(list.contains("./usr/share/wstune/templates/"), "templates are packaged")
        XCTAssertTrue(
            list.contains("./usr/share/wstune/schema/audit.schema.json"), "JSON Schemas are packaged (issue 16)")

        let root = try TestSupport.temporaryDirectory("wstune-pkg")
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertEqual(try TestSupport.run(["dpkg", "-x", deb, root.path]).status, 0)
        let bin = root.appendingPathComponent("usr/bin/wstune").path

        // The Swift runtime is linked statically: only glibc, libgcc/libstdc++ and the two netlink libraries remain.
        let ldd = try TestSupport.run(["ldd", bin]).stdout
        XCTAssertFalse(ldd.contains("libswift"), ldd)
        XCTAssertFalse(ldd.contains("libFoundation"), ldd)
        XCTAssertFalse(ldd.contains("not found"), ldd)
        XCTAssertTrue(ldd.contains("libmnl.so.0"), ldd)
        XCTAssertTrue(ldd.contains("libnetfilter_conntrack.so.3"), ldd)

        let dynamic = try TestSupport.run(["readelf", "-d", bin]).stdout
        XCTAssertFalse(
            dynamic.contains("RUNPATH") || dynamic.contains("RPATH"), "no build-folder search path: \(dynamic)")

        let version = try TestSupport.run([bin, "--version"])
        XCTAssertEqual(version.status, 0)
        let head = try TestSupport.run(["git", "-C", TestSupport.packageRoot.path, "rev-parse", "--short=12", "HEAD"])
            .stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(head.isEmpty, "git rev-parse HEAD failed in \(TestSupport.packageRoot.path)")
        XCTAssertTrue(version.stdout.contains("commit \(head)"), "\(version.stdout) vs HEAD \(head)")
        XCTAssertFalse(version.stdout.contains("unknown"), version.stdout)

        let profiles = try TestSupport.run([bin, "profiles"], environment: ["WSTUNE_DATA": ""])
        XCTAssertEqual(profiles.status, 0, profiles.stderr)
        XCTAssertTrue(profiles.stdout.contains("Profiles from \(root.path)/usr/share/wstune/profiles"), profiles.stdout)
        XCTAssertTrue(profiles.stdout.contains("gateway-1m"))

        let audit = try TestSupport.run([
            bin, "audit", "--root", TestSupport.fixtures.appendingPathComponent("tuned-1m").path,
            "--profile", "gateway-1m",
        ])
        XCTAssertEqual(audit.status, 0, audit.stdout + audit.stderr)
        XCTAssertTrue(audit.stdout.contains("READY"))

        // Completions parse; the man page renders.
        let share = root.appendingPathComponent("usr/share").path
        XCTAssertEqual(try TestSupport.run(["bash", "-n", "\(share)/bash-completion/completions/wstune"]).status, 0)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh") {
            XCTAssertEqual(try TestSupport.run(["zsh", "-n", "\(share)/zsh/vendor-completions/_wstune"]).status, 0)
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/fish") {
            XCTAssertEqual(
                try TestSupport.run(["fish", "--no-execute", "\(share)/fish/vendor_completions.d/wstune.fish"]).status,
                0)
        }
        let man = try TestSupport.run(
            ["man", "-l", "\(share)/man/man1/wstune.1.gz"], environment: ["MANPAGER": "cat", "PAGER": "cat"])
        XCTAssertEqual(man.status, 0, man.stderr)
        XCTAssertTrue(man.stdout.contains("wstune"), man.stdout)
        XCTAssertTrue(man.stdout.lowercased().contains("audit"))
    }

    /// Issue 15, item 8: a binary first built without a stamp ("commit unknown", a plain `swift build`) must name
    /// the commit after scripts/stamp-commit and the next incremental build, as scripts/package does. Reproduced
    /// with the real SwiftPM on a small package holding the real CBuildInfo target and stamp script, in a git
    /// repository of its own (a full wstune build would take minutes).
    func testStampReachesAnIncrementalBuild() throws {
        let dir = try TestSupport.temporaryDirectory("wstune-stamp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let src = TestSupport.packageRoot
        try fm.createDirectory(at: dir.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("Sources"), withIntermediateDirectories: true)
        try fm.copyItem(
            at: src.appendingPathComponent("scripts/stamp-commit"),
            to: dir.appendingPathComponent("scripts/stamp-commit"))
        try fm.copyItem(
            at: src.appendingPathComponent("Sources/CBuildInfo"), to: dir.appendingPathComponent("Sources/CBuildInfo"))
        try? fm.removeItem(at: dir.appendingPathComponent("Sources/CBuildInfo/commit.h"))
        try fm.createDirectory(at: dir.appendingPathComponent("Sources/show"), withIntermediateDirectories: true)
        try
            "#include <stdio.h>\n#include \"CBuildInfo.h\"\nint main(void) { printf(\"commit %s\\n\", wst_build_commit()); return 0; }\n"
            .write(to: dir.appendingPathComponent("Sources/show/main.c"), atomically: true, encoding: .utf8)
        try """
        // swift-tools-version:5.9
        import PackageDescription
        let package = Package(name: "stamp", targets: [
            .target(name: "CBuildInfo"),
            .executableTarget(name: "show", dependencies: ["CBuildInfo"]),
        ])

        """.write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try ".build/\nSources/CBuildInfo/commit.h\n".write(
            to: dir.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
        let git = ["git", "-C", dir.path, "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
        XCTAssertEqual(try TestSupport.run(["git", "init", "-q", dir.path]).status, 0)
        XCTAssertEqual(try TestSupport.run(git + ["add", "-A"]).status, 0)
        XCTAssertEqual(try TestSupport.run(git + ["commit", "-qm", "one"]).status, 0)
        func buildAndShow() throws -> String {
            let b = try TestSupport.run(
                ["swift", "build", "--package-path", dir.path, "--product", "show"], timeoutSeconds: 300)
            XCTAssertEqual(b.status, 0, b.stdout + b.stderr)
            let bin = try TestSupport.run(["swift", "build", "--package-path", dir.path, "--show-bin-path"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return try TestSupport.run([bin + "/show"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func head() throws -> String {
            try TestSupport.run(git + ["rev-parse", "--short=12", "HEAD"]).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(try buildAndShow(), "commit unknown", "a plain build has no stamp")
        XCTAssertEqual(try TestSupport.run(["bash", dir.path + "/scripts/stamp-commit"]).status, 0)
        XCTAssertEqual(try buildAndShow(), "commit \(try head())", "the stamp must reach the next incremental build")
        // A new commit, stamped again: the binary follows.
        try "two\n".write(to: dir.appendingPathComponent("README"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try TestSupport.run(git + ["add", "-A"]).status, 0)
        XCTAssertEqual(try TestSupport.run(git + ["commit", "-qm", "two"]).status, 0)
        XCTAssertEqual(try TestSupport.run(["bash", dir.path + "/scripts/stamp-commit"]).status, 0)
        XCTAssertEqual(try buildAndShow(), "commit \(try head())")
    }

    func testLintianHasNoErrors() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/lintian") else {
            throw XCTSkip("lintian not installed")
        }
        let r = try TestSupport.run(["lintian", "--no-tag-display-limit", try debPath()], timeoutSeconds: 300)
        let errors = r.stdout.split(separator: "\n").filter { $0.hasPrefix("E:") }
        XCTAssertEqual(errors, [], r.stdout)
    }
}
