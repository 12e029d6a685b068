import Foundation
import XCTest

/// Issue 15, item 5: audit, plan and apply --dry-run as an ordinary user (`setpriv` to nobody). A file only root may
/// read (/sys/module/nf_conntrack/parameters/hashsize is 0600) is noted "not readable without root", never exit 2;
/// the hash size comes from the world-readable /proc/sys/net/netfilter/nf_conntrack_buckets.
final class NonRootReadTests: XCTestCase {
    /// The binary and the profiles copied where nobody may read them; removed by the caller.
    func nobodyCopy() throws -> (dir: URL, command: [String], profiles: String) {
        guard TestSupport.isRoot else { throw XCTSkip("setpriv to nobody needs root") }
        let dir = try TestSupport.temporaryDirectory("wstune-nobody")
        chmod(dir.path, 0o755)
        let bin = dir.appendingPathComponent("wstune").path
        try FileManager.default.copyItem(atPath: TestSupport.wstuneBinary, toPath: bin)
        chmod(bin, 0o755)
        let profiles = dir.appendingPathComponent("profiles").path
        try FileManager.default.copyItem(
            atPath: TestSupport.packageRoot.appendingPathComponent("profiles").path, toPath: profiles)
        _ = try TestSupport.run(["chmod", "-R", "a+rX", dir.path])
        let id = try TestSupport.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "id", "-u"])
        XCTAssertNotEqual(id.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0")
        return (dir, ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin], profiles)
    }

    func testLiveHostAsNobody() throws {
        let (dir, nobody, profiles) = try nobodyCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        for args in [["audit"], ["audit", "--json"], ["plan"], ["plan", "--json"], ["apply", "--dry-run"]] {
            let r = try TestSupport.run(nobody + args + ["--profiles", profiles, "--profile", "server-100k"])
            XCTAssertTrue([0, 1].contains(r.status), "\(args): exit \(r.status): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Permission denied"), "\(args): \(r.stderr)")
        }
        // The hash size nobody sees is the kernel's (the 0444 sysctl), when conntrack is loaded here.
        guard
            let buckets = try? String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_buckets", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        else { return }
        // A profile that forces the conntrack checks, so conntrack.buckets reports the hash size it read.
        try "name: ct-on\nconnections: 1000\nconntrack: on\n".write(
            toFile: profiles + "/ct-on.yaml", atomically: true, encoding: .utf8)
        chmod(profiles + "/ct-on.yaml", 0o644)
        let r = try TestSupport.run(nobody + ["audit", "--json", "--profiles", profiles, "--profile", "ct-on"])
        struct Report: Decodable {
            struct F: Decodable { var id: String; var severity: String; var current: String? }; var findings: [F]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8))
        let f = try XCTUnwrap(report.findings.first { $0.id == "conntrack.buckets" })
        XCTAssertNotEqual(f.severity, "not-applicable", r.stdout)
        do {
            let grouped =
                Int(buckets).map { n -> String in
                    let f = NumberFormatter(); f.numberStyle = .decimal; f.groupingSeparator = ",";
                    f.usesGroupingSeparator = true
                    return f.string(from: NSNumber(value: n)) ?? buckets
                } ?? buckets
            XCTAssertTrue(
                f.current?.contains(grouped) == true, "\(f.current ?? "-") vs nf_conntrack_buckets \(buckets)")
        }
    }

    func testRootOnlyFileIsNotedNotFatal() throws {
        let (dir, nobody, profiles) = try nobodyCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A copied host whose hash size is only in the 0600 module parameter.
        let tree = dir.appendingPathComponent("host").path
        _ = try TestSupport.run(["cp", "-a", TestSupport.fixtures.appendingPathComponent("debian12-stock").path, tree])
        _ = try TestSupport.run(["chmod", "-R", "a+rX", tree])
        try? FileManager.default.removeItem(atPath: tree + "/proc/sys/net/netfilter/nf_conntrack_buckets")
        let hashsize = tree + "/sys/module/nf_conntrack/parameters/hashsize"
        XCTAssertTrue(FileManager.default.fileExists(atPath: hashsize))
        chmod(hashsize, 0o600)
        for args in [["audit", "--json"], ["audit"], ["plan"], ["apply", "--dry-run"]] {
            let r = try TestSupport.run(nobody + args + ["--root", tree, "--profiles", profiles, "--profile", "dev"])
            XCTAssertTrue([0, 1].contains(r.status), "\(args): exit \(r.status): \(r.stderr)")
            if args == ["audit"] {
                XCTAssertTrue(r.stdout.contains("Note: \(hashsize): not readable without root"), r.stdout)
            }
            if args == ["audit", "--json"] {
                struct Report: Decodable { var notes: [String] }
                let notes = try JSONDecoder().decode(Report.self, from: Data(r.stdout.utf8)).notes
                XCTAssertTrue(notes.contains { $0.hasPrefix("\(hashsize): not readable without root") }, "\(notes)")
            }
        }
        // Root reads it: no note.
        let asRoot = try TestSupport.wstune(["audit", "--root", tree, "--profiles", profiles, "--profile", "dev"])
        XCTAssertFalse(asRoot.stdout.contains("not readable without root"), asRoot.stdout)
    }
}
