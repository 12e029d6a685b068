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
        let listing = try TestSupport.run([
            "find", path, "-path", path + "/var", "-prune", "-o", "-printf", "%P\t%y\t%m\t%U\t%G\t%l\n",
        ])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        let sums = try TestSupport.run([
            "sh", "-c", "cd \"$1\" && find . -path ./var -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum",
            "sh", path,
        ])
        XCTAssertEqual(sums.status, 0, sums.stderr)
        return listing.stdout.split(separator: "\n").sorted().joined(separator: "\n") + "\n" + sums.stdout
    }

    /// Temporary files of ours anywhere in the tree, the journal included.
    func temporaries() throws -> [String] {
        try TestSupport.run(["find", path, "-name", ".*.wstune-*"]).stdout.split(separator: "\n").map(String.init)
    }

    func journalStates() throws -> [String] {
        let r = try TestSupport.wstune(["rollback", "--list", "--json", "--root", path])
        guard let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] else {
            return []
        }
        return rows.compactMap { $0["state"] as? String }
    }
}

/// strace(1) around the built binary: syscall counts of a clean run, and runs with a fault injected.
enum Strace {
    /// The steps of interest; the old names (rename, mkdir, unlink) are there for binaries that call them.
    static let syscalls = [
        "openat", "write", "fsync", "rename", "renameat", "renameat2", "fchmod", "mkdir", "mkdirat",
        "unlink", "unlinkat",
    ]

    /// Per syscall, the ordinals (1-based, as strace's when= counts them: per thread) of the calls the thread that
    /// takes the journal lock makes from then on: the calls that change the tree or the journal.
    static func ordinals(_ args: [String], from marker: String) throws -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        var started = false
        for call in try trace(args) where call.worker {
            if !started && call.line.contains(marker) { started = true }
            if started { out[call.name, default: []].append(call.ordinal) }
        }
        return out
    }

    struct Call {
        var name: String
        var ordinal: Int
        var line: Substring
        /// Made by the thread that does the work (the one that first touches the journal).
        var worker: Bool
    }

    /// Every call of interest of a clean run (strace -f -y), with its per-thread ordinal.
    static func trace(_ args: [String], marker: String = "wstune/journal") throws -> [Call] {
        let dir = try TestSupport.temporaryDirectory("wstune-strace")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("log").path
        let r = try TestSupport.run(
            [
                "strace", "-f", "-qq", "-y", "-o", log, "-e",
                "trace=" + syscalls.map { "?" + $0 }.joined(separator: ","),
                TestSupport.wstuneBinary,
            ] + args, timeoutSeconds: 120)
        XCTAssertEqual(r.status, 0, r.stderr)
        var counts: [String: Int] = [:]
        var calls: [(pid: Substring, call: Call)] = []
        var workerPid: Substring?
        for line in try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n") {
            // "PID  name(args) = result": strace pads the pid.
            var parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            parts[1] = parts[1].drop(while: { $0 == " " })
            guard let name = syscalls.first(where: { parts[1].hasPrefix($0 + "(") }) else { continue }
            let key = "\(parts[0]) \(name)"
            counts[key, default: 0] += 1
            if workerPid == nil && line.contains(marker) { workerPid = parts[0] }
            calls.append((parts[0], Call(name: name, ordinal: counts[key]!, line: parts[1], worker: false)))
        }
        return calls.map {
            var c = $0.call; c.worker = $0.pid == workerPid; return c
        }
    }

    /// Up to `n` ordinals spread over `all` (first and last included).
    static func spread(_ all: [Int], _ n: Int) -> [Int] {
        guard all.count > n, n > 1 else { return all }
        return (0..<n).map { all[$0 * (all.count - 1) / (n - 1)] }
    }

    /// Runs the binary with one injection (`error=EIO`, `signal=KILL` …) at `when`.
    static func run(_ args: [String], syscall: String, inject: String, when: String) throws -> CommandResult {
        try TestSupport.run(
            [
                "strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=\(syscall)",
                "-e", "inject=\(syscall):\(inject):when=\(when)", TestSupport.wstuneBinary,
            ] + args,
            // A crash must show as a signal exit, not wait on the runtime's backtracer (itself traced).
            environment: ["SWIFT_BACKTRACE": "enable=no"], timeoutSeconds: 60)
    }
}
