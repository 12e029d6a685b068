import Foundation
import WSTTestSupport
import XCTest

/// A small host tree for `wstune apply --root`: /proc/sys keys as files (below the dev profile's needs), the
/// conntrack hashsize with nf_conntrack_buckets linked to it as the kernel links them, sysctl.d and a unit.
final class ApplyFixtureTree {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = try TestSupport.temporaryDirectory("wstune-apply-root")
        let sysctls: [String: String] = [
            "fs/file-max": "100000", "fs/nr_open": "1048576", "fs/file-nr": "1000\t0\t100000",
            "net/core/somaxconn": "128", "net/core/netdev_max_backlog": "1000", "net/ipv4/tcp_max_syn_backlog": "256",
            "net/ipv4/tcp_mem": "1000\t2000\t3000", "net/ipv4/ip_local_port_range": "1024\t65535",
            "net/ipv4/ip_local_reserved_ports": "", "net/ipv4/tcp_tw_reuse": "0", "net/ipv4/tcp_fin_timeout": "60",
            "net/ipv4/tcp_keepalive_time": "7200", "net/ipv4/tcp_keepalive_intvl": "75",
            "net/ipv4/tcp_keepalive_probes": "9",
            "net/ipv4/tcp_rmem": "4096\t131072\t6291456", "net/ipv4/tcp_wmem": "4096\t16384\t4194304",
            "net/netfilter/nf_conntrack_max": "4096", "net/netfilter/nf_conntrack_count": "10",
        ]
        for (k, v) in sysctls { try write("proc/sys/\(k)", v + "\n") }
        try write("sys/module/nf_conntrack/parameters/hashsize", "1024\n")
        try FileManager.default.createSymbolicLink(
            atPath: path + "/proc/sys/net/netfilter/nf_conntrack_buckets",
            withDestinationPath: "../../../../sys/module/nf_conntrack/parameters/hashsize")
        try write("etc/sysctl.d/10-local.conf", "net.core.somaxconn = 128\n")
        try write("etc/systemd/system/chat.service", "[Service]\nExecStart=/usr/bin/chat\n")
    }

    /// A copy of a fixture tree (symbolic links kept).
    init(copying source: String) throws {
        url = try TestSupport.temporaryDirectory("wstune-apply-root")
        let r = try TestSupport.run(["cp", "-a", source + "/.", url.path])
        guard r.status == 0 else {
            throw NSError(domain: "cp", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr])
        }
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ relative: String, _ text: String) throws {
        try TreeWriter.write(relative, text, under: url)
    }

    func read(_ relative: String) -> String? { try? String(contentsOfFile: path + "/" + relative, encoding: .utf8) }

    /// Every path with type, mode and content: the oracle for "restored exactly". The journal is left out.
    func snapshot(includingJournal: Bool = false) throws -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        for case let rel as String in fm.enumerator(atPath: path)! {
            if !includingJournal && (rel == "var" || rel.hasPrefix("var/")) { continue }
            let p = path + "/" + rel
            var st = stat()
            lstat(p, &st)
            switch st.st_mode & S_IFMT {
            case S_IFLNK: out[rel] = "link " + (try fm.destinationOfSymbolicLink(atPath: p))
            case S_IFDIR: out[rel] = "dir " + String(st.st_mode & 0o7777, radix: 8)
            default: out[rel] = "file " + String(st.st_mode & 0o7777, radix: 8) + " " + (read(rel) ?? "?")
            }
        }
        return out
    }
}

/// JSON helpers for the CLI's output.
enum ApplyJSON {
    static func object(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let obj = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(obj as? [String: Any], "not a JSON object: \(text)", file: file, line: line)
    }

    static func setting(_ report: [String: Any], _ id: String) -> [String: Any]? {
        (report["settings"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    static func severities(_ audit: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for f in audit["findings"] as? [[String: Any]] ?? [] {
            if let id = f["id"] as? String, let s = f["severity"] as? String { out[id] = s }
        }
        return out
    }
}
