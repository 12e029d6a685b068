import Foundation
import HostFacts
import XCTest

@testable import Tuning

final class WriterTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wstune-writer-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func mode(_ path: String) -> Int {
        var st = stat()
        stat(path, &st)
        return Int(st.st_mode & 0o7777)
    }

    func testAtomicWriteSetsMode0644CreatesDirectoriesAndLeavesNoTemporaryFile() throws {
        let path = dir.path + "/etc/sysctl.d/90-wstune.conf"
        let old = umask(0o077)
        defer { umask(old) }
        let rooted = try RootedPath(root: dir.path, relative: "etc/sysctl.d/90-wstune.conf")
        XCTAssertEqual(try AtomicFileWriter.missingDirectories(for: rooted).map(\.relative), ["etc", "etc/sysctl.d"])
        XCTAssertTrue(try AtomicFileWriter.write(Data("a = 1\n".utf8), to: path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "a = 1\n")
        XCTAssertEqual(mode(path), 0o644, "mode is 0644 whatever the umask")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.path + "/etc/sysctl.d"), ["90-wstune.conf"])
    }

    func testUnchangedContentIsNotWritten() throws {
        let path = dir.path + "/f.conf"
        try AtomicFileWriter.write(Data("x\n".utf8), to: path)
        var before = stat()
        stat(path, &before)
        XCTAssertFalse(try AtomicFileWriter.write(Data("x\n".utf8), to: path))
        var after = stat()
        stat(path, &after)
        XCTAssertEqual(before.st_ino, after.st_ino, "no rename happened: same inode")
        XCTAssertTrue(try AtomicFileWriter.write(Data("y\n".utf8), to: path))
        stat(path, &after)
        XCTAssertNotEqual(before.st_ino, after.st_ino, "a change replaces the file by rename")
    }

    func testRestoresPreviousModeAndRemoves() throws {
        let path = dir.path + "/f.conf"
        try AtomicFileWriter.write(Data("secret\n".utf8), to: path, mode: 0o600)
        XCTAssertEqual(mode(path), 0o600)
        XCTAssertEqual(try AtomicFileWriter.state(of: path)?.mode, 0o600)
        XCTAssertTrue(try AtomicFileWriter.remove(path))
        XCTAssertFalse(try AtomicFileWriter.remove(path), "removing an absent file is harmless")
        XCTAssertNil(try AtomicFileWriter.state(of: path))
    }

    func testWriteIntoAFileInsteadOfADirectoryFailsWithTheSyscallAndPath() throws {
        let blocker = dir.path + "/limits.d"
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: blocker))
        let target = try RootedPath(root: dir.path, relative: "limits.d/90-wstune.conf")
        XCTAssertThrowsError(try AtomicFileWriter.write(Data("x".utf8), to: target)) { error in
            guard case WriterError.refused(let p, let why) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, blocker)
            XCTAssertEqual(why, "not a directory")
        }
        XCTAssertEqual(try String(contentsOfFile: blocker, encoding: .utf8), "not a directory", "untouched")
    }

    func testLiveWriteReadsBackAndAKernelRejectionIsTyped() throws {
        // A plain file stands in for a /proc/sys key: written, truncated, read back.
        let key = dir.path + "/somaxconn"
        try Data("4096\n".utf8).write(to: URL(fileURLWithPath: key))
        let change = LiveChange(key: "net.core.somaxconn", path: key, previous: "4096", value: "128")
        XCTAssertEqual(
            try LiveValueWriter.write("128", for: change, at: RootedPath(root: dir.path, relative: "somaxconn")), "128")
        XCTAssertEqual(try String(contentsOfFile: key, encoding: .utf8), "128\n")
        // A real read-only kernel key (0444 in procfs: even root gets EACCES) rejects the write.
        let ro = LiveChange(
            key: "kernel.cap_last_cap", path: "/proc/sys/kernel/cap_last_cap", previous: "40", value: "41")
        XCTAssertThrowsError(try LiveValueWriter.write("41", for: ro, at: RootedPath.live(ro.path))) { error in
            XCTAssertEqual((error as? WriterError)?.errnoValue, EACCES, "\(error)")
        }
    }

    func testRoundedUpSizeIsKeptWhenTheKernelRoundsUp() throws {
        let c = LiveChange(
            key: "conntrack hashsize", path: "/x", previous: "1024", value: "3125", comparison: .roundedUp)
        XCTAssertTrue(c.kept(readBack: "3584", wrote: "3125"))
        XCTAssertFalse(c.kept(readBack: "1024", wrote: "3125"))
        XCTAssertFalse(c.same("3584", "3125"), "equality stays strict for deciding and restoring")
    }

    func testPortSetComparisonIgnoresTheKernelsFormatting() {
        let c = LiveChange(
            key: "net.ipv4.ip_local_reserved_ports", path: "/x", previous: "", value: "8080,8081,9000",
            comparison: .portSet)
        XCTAssertTrue(c.same("8080-8081,9000\n", "8080,8081,9000"))
        XCTAssertFalse(c.same("8080", "8080,9000"))
    }
}
