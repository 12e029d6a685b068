import Foundation
import XCTest

/// A rollback is bound to where its apply ran: two network namespaces the test creates, one journal. From the
/// other namespace (or the host) rollback refuses with exit 2 naming both; the printed Undo command, pasted as is,
/// undoes it; --force overrides. Values are read with sysctl(8) inside each namespace.
final class ApplyBindingTests: XCTestCase {
    func somaxconn(_ ns: NetNamespace?) throws -> String {
        let cmd = ["sysctl", "-n", "net.core.somaxconn"]
        return try (ns.map { try $0.exec(cmd) } ?? TestSupport.run(cmd)).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    func testRollbackFromAnotherNamespaceIsRefusedAndTheUndoCommandIsExact() throws {
        let a = try NetNamespace("12-a")
        defer { a.delete() }
        let b = try NetNamespace("12-b")
        defer { b.delete() }
        try a.sysctl("net.core.somaxconn", "128")
        try b.sysctl("net.core.somaxconn", "333")
        let hostBefore = try somaxconn(nil)
        let files = try TestSupport.temporaryDirectory("wstune-bind-files")
        defer { try? FileManager.default.removeItem(at: files) }
        let bin = URL(fileURLWithPath: TestSupport.wstuneBinary).resolvingSymlinksInPath().path

        let apply = try a.exec([bin, "apply", "--yes", "--profile", "dev", "--files-root", files.path])
        XCTAssertEqual(apply.status, 0, apply.stderr)
        XCTAssertEqual(try somaxconn(a), "4096")
        let undo = try XCTUnwrap(
            apply.stdout.split(separator: "\n").first { $0.hasPrefix("Undo: ") }.map { String($0.dropFirst(6)) })
        XCTAssertEqual(undo, "sudo ip netns exec \(a.name) \(bin) rollback --files-root \(files.path)")

        // From namespace B and from the host: refused, both namespaces named, nothing written.
        let fromB = try b.exec([bin, "rollback", "--files-root", files.path])
        XCTAssertEqual(fromB.status, 2, fromB.stdout + fromB.stderr)
        XCTAssertTrue(
            fromB.stderr.contains("ip netns \(a.name)") && fromB.stderr.contains("ip netns \(b.name)"), fromB.stderr)
        XCTAssertTrue(fromB.stderr.contains("--force"), fromB.stderr)
        XCTAssertEqual(try somaxconn(b), "333", "B keeps its own value")
        let fromHost = try TestSupport.run([bin, "rollback", "--files-root", files.path])
        XCTAssertEqual(fromHost.status, 2, fromHost.stderr)
        XCTAssertEqual(try somaxconn(nil), hostBefore, "the host keeps its value")
        XCTAssertEqual(try somaxconn(a), "4096")

        // The Undo command as printed (sudo dropped: the test already is root).
        let pasted = try TestSupport.run(["sh", "-c", undo.hasPrefix("sudo ") ? String(undo.dropFirst(5)) : undo])
        XCTAssertEqual(pasted.status, 0, pasted.stderr)
        XCTAssertEqual(try somaxconn(a), "128")
        XCTAssertEqual(try somaxconn(b), "333")

        // --force: the user says B is right (here it writes A's old value into B, as asked).
        XCTAssertEqual(try a.exec([bin, "apply", "--yes", "--profile", "dev", "--files-root", files.path]).status, 0)
        let forced = try b.exec([bin, "rollback", "--force", "--files-root", files.path])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(try somaxconn(b), "128")
    }

    /// A journal copied into another tree refers to the tree it was made in: refused there unless --force, and with
    /// --force its relative paths resolve in the new tree only; the original tree is never touched.
    func testJournalCopiedIntoAnotherTreeIsRefusedAndNeverReachesBack() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let one = try ApplyFixtureTree()
        let two = try ApplyFixtureTree()
        XCTAssertEqual(
            try TestSupport.wstune(["apply", "--yes", "--profile", "dev", "--unit", "chat", "--root", one.path]).status,
            0)
        let tunedOne = try one.snapshot()
        let twoBefore = try two.snapshot()
        let journal = "var/lib/wstune/journal"
        try FileManager.default.createDirectory(atPath: two.path + "/" + journal, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: one.path + "/" + journal)
        where name.hasSuffix(".json") {
            try FileManager.default.copyItem(
                atPath: one.path + "/\(journal)/\(name)", toPath: two.path + "/\(journal)/\(name)")
        }
        let refused = try TestSupport.wstune(["rollback", "--root", two.path])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains(one.path) && refused.stderr.contains(two.path), refused.stderr)
        let forced = try TestSupport.wstune(["rollback", "--force", "--root", two.path])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(try one.snapshot(), tunedOne, "the tree the journal came from is untouched")
        XCTAssertEqual(try two.snapshot(), twoBefore)
    }

    /// A forged entry naming paths outside the root (absolute, or climbing with ..): refused, named, nothing touched.
    func testForgedJournalPathsOutsideTheRootAreRefused() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root") }
        let tree = try ApplyFixtureTree()
        let outside = try TestSupport.temporaryDirectory("wstune-outside")
        defer { try? FileManager.default.removeItem(at: outside) }
        try Data("keep me\n".utf8).write(to: outside.appendingPathComponent("victim"))
        XCTAssertEqual(try TestSupport.wstune(["apply", "--yes", "--profile", "dev", "--root", tree.path]).status, 0)
        let dir = tree.path + "/var/lib/wstune/journal"
        let name = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".json") })
        var entry = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
                as? [String: Any])
        var files = try XCTUnwrap(entry["files"] as? [[String: Any]])
        let climbing =
            String(repeating: "../", count: tree.path.split(separator: "/").count) + outside.path.dropFirst()
            + "/victim"
        files[0]["path"] = climbing
        files[0].removeValue(forKey: "previous")  // "did not exist": rollback would delete it
        files[1]["path"] = outside.path + "/victim"
        files[1].removeValue(forKey: "previous")
        entry["files"] = files
        try JSONSerialization.data(withJSONObject: entry).write(to: URL(fileURLWithPath: dir + "/" + name))
        let r = try TestSupport.wstune(["rollback", "--root", tree.path])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains(climbing) && r.stderr.contains("'..' is not allowed"), r.stderr)
        XCTAssertTrue(r.stderr.contains("an absolute path"), r.stderr)
        XCTAssertEqual(try String(contentsOf: outside.appendingPathComponent("victim"), encoding: .utf8), "keep me\n")
    }
}

/// The live root "/" inside a namespace the test makes (network + mount; tmpfs over the directories apply writes):
/// a 90-wstune.conf that is the admin's link to another file is replaced, never written through, its target's keys
/// are not taken as ours, and rollback puts the link back.
final class ApplyLiveRootLinkTests: XCTestCase {
    func testALinkedTargetOnTheLiveRootComesBackAsALink() throws {
        let ns = try NetNamespace("12-live")
        defer { ns.delete() }
        let bin = URL(fileURLWithPath: TestSupport.wstuneBinary).resolvingSymlinksInPath().path
        let script = """
            set -e
            mount --make-rprivate /
            # A copy of /etc in place of /etc, and an empty /var/lib: nothing of the host's is written.
            cp -a /etc/. "$2"
            mkdir -p "$2/sysctl.d" "$2/security/limits.d"
            rm -f "$2/sysctl.d/"*
            mount --bind "$2" /etc
            mount -t tmpfs wst12 /var/lib
            printf 'vm.swappiness = 7\\n' > /etc/sysctl.d/real.conf
            ln -s real.conf /etc/sysctl.d/90-wstune.conf
            "$1" apply --yes --profile dev > /dev/null
            echo "after-apply $(stat -c %F /etc/sysctl.d/90-wstune.conf)"
            grep -c 'vm.swappiness' /etc/sysctl.d/90-wstune.conf || true
            cat /etc/sysctl.d/real.conf
            "$1" rollback > /dev/null
            echo "after-rollback $(stat -c %F /etc/sysctl.d/90-wstune.conf) -> $(readlink /etc/sysctl.d/90-wstune.conf)"
            cat /etc/sysctl.d/real.conf
            """
        let etc = try TestSupport.temporaryDirectory("wstune-live-etc")
        defer { try? FileManager.default.removeItem(at: etc) }
        let r = try ns.exec(["unshare", "-m", "sh", "-c", script, "sh", bin, etc.path])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(
            r.stdout,
            """
            after-apply regular file
            0
            vm.swappiness = 7
            after-rollback symbolic link -> real.conf
            vm.swappiness = 7

            """, r.stderr)
    }
}
