import Foundation
import XCTest

/// The fault-injection fixture: `ApplyFixtureTree` plus a file the user owns where apply writes
/// (etc/security/limits.d/90-wstune.conf, mode 0640, uid/gid 1000), and no etc/modprobe.d or modules-load.d, so
/// apply has directories to create. The oracle is find(1) and sha256sum(1): every path's type, mode, owner, link
/// target and content hash, the journal (var/) left out.
final class ApplyFaultTree {
    let tree: ApplyFixtureTree
    var path: String { tree.path }
    static let userFile = "etc/security/limits.d/90-wstune.conf"
    static let userText = "# the admin's own\n* soft nofile 2048\n"

    init() throws {
        tree = try ApplyFixtureTree()
        try tree.write(Self.userFile, Self.userText)
        XCTAssertEqual(chmod(path + "/" + Self.userFile, 0o640), 0)
        XCTAssertEqual(chown(path + "/" + Self.userFile, 1000, 1000), 0)
    }

    /// find -printf of every path (type, mode, uid, gid, link) with sha256 of regular files, sorted.
    func snapshot() throws -> String {
        let listing = try TestSupport.run(["find", path, "-path", path + "/var", "-prune", "-o", "-printf", "%P\t%y\t%m\t%U\t%G\t%l\n"])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        let sums = try TestSupport.run(["sh", "-c", "cd \"$1\" && find . -path ./var -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum", "sh", path])
        XCTAssertEqual(sums.status, 0, sums.stderr)
        return listing.stdout.split(separator: "\n").sorted().joined(separator: "\n") + "\n" + sums.stdout
    }

    /// Temporary files of ours anywhere in the tree, the journal included.
    func temporaries() throws -> [String] {
        try TestSupport.run(["find", path, "-name", ".*.wstune-*"]).stdout.split(separator: "\n").map(String.init)
    }

    func journalStates() throws -> [String] {
        let r = try TestSupport.wstune(["rollback", "--list", "--json", "--root", path])
        guard let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] else { return [] }
        return rows.compactMap { $0["state"] as? String }
    }
}

/// strace(1) around the built binary: syscall counts of a clean run, and runs with a fault injected.
enum Strace {
    /// The steps of interest; the old names (rename, mkdir, unlink) are there for binaries that call them.
    static let syscalls = ["openat", "write", "fsync", "rename", "renameat", "renameat2", "fchmod", "mkdir", "mkdirat",
                           "unlink", "unlinkat"]

    /// Per syscall, the ordinals (1-based, as strace's when= counts them in the main process) of the calls made
    /// once the journal lock is taken: the calls that change the tree or the journal.
    static func ordinals(_ args: [String], from marker: String) throws -> [String: [Int]] {
        let log = try TestSupport.temporaryDirectory("wstune-strace").appendingPathComponent("log").path
        defer { try? FileManager.default.removeItem(atPath: (log as NSString).deletingLastPathComponent) }
        let r = try TestSupport.run(["strace", "-qq", "-y", "-o", log, "-e", "trace=" + syscalls.map { "?" + $0 }.joined(separator: ","),
                                     TestSupport.wstuneBinary] + args, timeoutSeconds: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        var counts: [String: Int] = [:]
        var out: [String: [Int]] = [:]
        var started = false
        for line in lines {
            guard let name = syscalls.first(where: { line.hasPrefix($0 + "(") }) else { continue }
            counts[name, default: 0] += 1
            if !started && line.contains(marker) { started = true }
            if started { out[name, default: []].append(counts[name]!) }
        }
        return out
    }

    /// Up to `n` ordinals spread over `all` (first and last included).
    static func spread(_ all: [Int], _ n: Int) -> [Int] {
        guard all.count > n, n > 1 else { return all }
        return (0..<n).map { all[$0 * (all.count - 1) / (n - 1)] }
    }

    /// Runs the binary with one injection (`error=EIO`, `signal=KILL` …) at `when`.
    static func run(_ args: [String], syscall: String, inject: String, when: String) throws -> CommandResult {
        try TestSupport.run(["strace", "-qq", "-o", "/dev/null", "-e", "trace=\(syscall)",
                             "-e", "inject=\(syscall):\(inject):when=\(when)", TestSupport.wstuneBinary] + args, timeoutSeconds: 120)
    }
}
