import Foundation
import XCTest

/// Issue 15, item 6: `render --check` knows this host. The fd limit a rendered config asks for is checked against
/// the most a proxy started here really gets, and the real nginx and HAProxy started with the same config are the
/// oracle (HAProxy exits "Cannot raise FD limit", nginx workers log "setrlimit(RLIMIT_NOFILE) failed").
/// `--site-only --check` tests the site inside the real main config (a copy of Debian's /etc/nginx under a
/// temporary prefix, never the host's live nginx) and judges that config's worker_connections.
final class RenderHostTests: XCTestCase {
    struct Output: Decodable {
        struct Check: Decodable { var id: String; var passed: Bool; var detail: String }
        struct Step: Decodable { var outcome: String; var output: String; var command: String }
        var checks: [Check]
        var validation: [Step]
        func check(_ id: String) -> Check? { checks.first { $0.id == id } }
    }

    func decode(_ r: CommandResult) throws -> Output {
        try JSONDecoder().decode(Output.self, from: Data(r.stdout.utf8))
    }

    /// A connection target just above what a process started here may open (hard limit, or fs.nr_open with
    /// CAP_SYS_RESOURCE), read from /proc/self/limits, /proc/self/status and /proc/sys/fs/nr_open.
    func connectionsAboveTheCeiling() throws -> Int {
        let limits = try String(contentsOfFile: "/proc/self/limits", encoding: .utf8)
        let line = try XCTUnwrap(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let hard = Int(line.split(separator: " ", omittingEmptySubsequences: true)[4]) ?? 1_048_576
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let capEff =
            status.split(separator: "\n").first { $0.hasPrefix("CapEff:") }
            .flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) } ?? 0
        let nrOpen =
            Int(
                (try? String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 1_048_576
        let ceiling = capEff & (1 << 24) != 0 ? nrOpen : hard
        return ceiling / 2 + 100
    }

    func testHAProxyCheckAgreesWithTheRealHAProxy() throws {
        try ProxyTestSupport.requireTool("haproxy")
        let dir = try TestSupport.temporaryDirectory("wst-render-host-haproxy")
        defer { try? FileManager.default.removeItem(at: dir) }
        for connections in [1000, try connectionsAboveTheCeiling()] {
            let profile = try ProxyTestSupport.writeProfile(in: dir, connections: connections)
            let port = try ProxyTestSupport.freePort()
            let cfg = dir.appendingPathComponent("haproxy-\(connections).cfg").path
            let r = try TestSupport.wstune([
                "render", "haproxy", "--profile", profile, "--listen", "127.0.0.1:\(port)", "--workers", "1",
                "--backend", "127.0.0.1:\(try ProxyTestSupport.freePort())", "--out", cfg, "--check", "--json",
            ])
            let out = try decode(r)
            XCTAssertEqual(out.validation.first?.outcome, "passed", "haproxy -c accepts it either way")
            // The oracle: HAProxy itself, started with that config.
            let log = dir.appendingPathComponent("haproxy-\(connections).log")
            let p = try ProxyTestSupport.start(["haproxy", "-db", "-f", cfg], log: log)
            defer { ProxyTestSupport.stop(p) }
            let deadline = Date().addingTimeInterval(10)
            while p.isRunning && !ProxyTestSupport.isListening(port) && Date() < deadline { usleep(50_000) }
            let started = ProxyTestSupport.isListening(port)
            ProxyTestSupport.stop(p)
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            XCTAssertEqual(
                r.status, started ? 0 : 1,
                "\(connections): render --check must fail exactly when HAProxy cannot start: \(text)")
            let host = out.check("haproxy.host-nofile")
            XCTAssertEqual(
                host?.passed, started,
                "\(connections): render said \(host?.detail ?? "nothing about this host's limit"); haproxy: \(text)")
            if !started { XCTAssertTrue(text.contains("Cannot raise FD limit"), text) }
        }
    }

    func testNginxCheckAgreesWithTheRealNginx() throws {
        try ProxyTestSupport.requireTool("nginx")
        guard TestSupport.isRoot else { throw XCTSkip("nginx raises worker limits only when started as root") }
        let dir = try TestSupport.temporaryDirectory("wst-render-host-nginx")
        defer { try? FileManager.default.removeItem(at: dir) }
        var targets = [1000]
        // Above the ceiling nginx would size ~2 × N connection slots: only where that stays small.
        let above = try connectionsAboveTheCeiling()
        if above <= 100_000 { targets.append(above) }
        for connections in targets {
            let prefix = dir.appendingPathComponent("n\(connections)").path
            try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
            chmod(dir.path, 0o755)
            chmod(prefix, 0o755)
            let profile = try ProxyTestSupport.writeProfile(in: dir, connections: connections)
            let port = try ProxyTestSupport.freePort()
            let conf = prefix + "/nginx.conf"
            let r = try TestSupport.wstune([
                "render", "nginx", "--profile", profile, "--listen", "127.0.0.1:\(port)", "--workers", "1",
                "--backend", "127.0.0.1:\(try ProxyTestSupport.freePort())", "--prefix", prefix,
                "--out", conf, "--check", "--json",
            ])
            let p = try ProxyTestSupport.start(
                ["nginx", "-p", prefix + "/", "-c", conf, "-g", "daemon off;"],
                log: dir.appendingPathComponent("n\(connections).log"))
            defer { ProxyTestSupport.stop(p) }
            try ProxyTestSupport.waitListening(port)
            usleep(500_000)  // the worker has run its init (setrlimit) once it accepts; give the log a moment
            ProxyTestSupport.stop(p)
            let log = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? ""
            let refused = log.contains("setrlimit(RLIMIT_NOFILE")
            XCTAssertEqual(
                r.status, refused ? 1 : 0,
                "\(connections): render --check must fail exactly when the workers cannot get their limit: \(log)")
            let host = try decode(r).check("nginx.host-nofile")
            XCTAssertEqual(
                host?.passed, !refused,
                "\(connections): render said \(host?.detail ?? "nothing about this host's limit"); nginx log: \(log)")
        }
    }

    /// A copy of this host's /etc/nginx under `dir`, every path in it moved under `dir`, the default site on `port`.
    func debianNginxCopy(in dir: URL, port: Int) throws -> String {
        guard FileManager.default.fileExists(atPath: "/etc/nginx/nginx.conf"),
            FileManager.default.fileExists(atPath: "/etc/nginx/sites-available/default")
        else {
            XCTFail("Debian's nginx package is not installed (scripts/setup installs it)")
            throw XCTSkip("no /etc/nginx")
        }
        let etc = dir.appendingPathComponent("etc-nginx").path
        XCTAssertEqual(try TestSupport.run(["cp", "-a", "/etc/nginx", etc]).status, 0)
        try FileManager.default.createDirectory(
            atPath: dir.appendingPathComponent("log").path, withIntermediateDirectories: true)
        let fm = FileManager.default
        for rel in try fm.subpathsOfDirectory(atPath: etc) {
            let path = etc + "/" + rel
            // A link into /etc/nginx (sites-enabled/default) becomes a copy, so the host's files are never used.
            if let target = try? fm.destinationOfSymbolicLink(atPath: path),
                target.hasPrefix("/etc/nginx/") || !target.hasPrefix("/")
            {
                let resolved =
                    target.hasPrefix("/")
                    ? target : ((("/etc/nginx/" + rel) as NSString).deletingLastPathComponent + "/" + target)
                try fm.removeItem(atPath: path)
                try fm.copyItem(atPath: resolved, toPath: path)
            }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                (try? fm.destinationOfSymbolicLink(atPath: path)) == nil,
                var text = try? String(contentsOfFile: path, encoding: .utf8)
            else { continue }
            text = text.replacingOccurrences(of: "/etc/nginx/", with: etc + "/")
                .replacingOccurrences(of: "/run/nginx.pid", with: dir.path + "/nginx.pid")
                .replacingOccurrences(of: "/var/log/nginx/", with: dir.path + "/log/")
                .replacingOccurrences(of: "listen 80 default_server", with: "listen \(port) default_server")
                .replacingOccurrences(of: "listen [::]:80 default_server;", with: "# (IPv6 listen dropped by the test)")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return etc + "/nginx.conf"
    }

    func testSiteOnlyIsCheckedInsideTheRealMainConfig() throws {
        try ProxyTestSupport.requireTool("nginx")
        guard TestSupport.isRoot else {
            throw XCTSkip("Debian's main config (user www-data, its log paths) needs root for nginx -t")
        }
        let dir = try TestSupport.temporaryDirectory("wst-render-site")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try ProxyTestSupport.freePort()
        let main = try debianNginxCopy(in: dir, port: port)
        let mainText = try String(contentsOfFile: main, encoding: .utf8)
        // The oracle for the real number: the main config's own text.
        let real = try XCTUnwrap(
            mainText.range(of: #"worker_connections\s+(\d+);"#, options: .regularExpression)
                .map { String(mainText[$0]).filter(\.isNumber) })

        // server_name "_" next to Debian's default site is the clash: refused, not rendered.
        let clash = try TestSupport.wstune([
            "render", "nginx", "--site-only", "--listen", "\(port)", "--profile", "server-100k",
        ])
        XCTAssertEqual(clash.status, 2, clash.stdout + clash.stderr)
        XCTAssertTrue(clash.stderr.contains("--server-name '_'"), clash.stderr)
        XCTAssertEqual(clash.stdout, "")

        let args = [
            "render", "nginx", "--site-only", "--listen", "\(port)", "--server-name", "ws.example.test",
            "--backend", "127.0.0.1:\(try ProxyTestSupport.freePort())", "--nginx-conf", main,
        ]
        let r = try TestSupport.wstune(args + ["--profile", "server-100k", "--check", "--json"])
        XCTAssertEqual(r.status, 1, r.stderr)
        let out = try decode(r)
        let capacity = try XCTUnwrap(out.check("nginx.worker-capacity"), r.stdout)
        XCTAssertFalse(capacity.passed, capacity.detail)
        // Only the real config's number is described; none the site does not hold.
        let described = Set(
            out.checks.flatMap { c in
                c.detail.components(separatedBy: "worker_connections ").dropFirst().map {
                    String($0.prefix { $0.isNumber })
                }
            })
        XCTAssertEqual(described, [real], "\(out.checks.map(\.detail))")
        XCTAssertEqual(out.validation.count, 1)
        XCTAssertEqual(out.validation.first?.outcome, "passed", out.validation.first?.output ?? "")
        XCTAssertTrue(out.validation.first?.command.contains(main) == true)

        // A site the main config already has by that name: nginx -t inside the real config catches the clash.
        let other = (main as NSString).deletingLastPathComponent + "/conf.d/other.conf"
        try "server { listen \(port); server_name ws.example.test; return 204; }\n".write(
            toFile: other, atomically: true, encoding: .utf8)
        let dup = try decode(try TestSupport.wstune(args + ["--profile", "server-100k", "--check", "--json"]))
        XCTAssertEqual(dup.validation.first?.outcome, "failed")
        XCTAssertTrue(
            dup.validation.first?.output.contains("conflicting server name \"ws.example.test\"") == true,
            dup.validation.first?.output ?? "")
        try FileManager.default.removeItem(atPath: other)

        // The site as rendered, dropped into conf.d of the copy and served by the real nginx: its requests reach it
        // (its own /healthz), while the default site keeps every other name.
        let site = (main as NSString).deletingLastPathComponent + "/conf.d/wstune.conf"
        let write = try TestSupport.wstune(
            args + ["--profile", try ProxyTestSupport.writeProfile(in: dir, connections: 100), "--out", site])
        XCTAssertEqual(write.status, 0, write.stderr)
        let nginx = try ProxyTestSupport.start(
            ["nginx", "-c", main, "-g", "daemon off;"], log: dir.appendingPathComponent("nginx.log"))
        defer { ProxyTestSupport.stop(nginx) }
        try ProxyTestSupport.waitListening(port)
        func get(_ host: String) throws -> String {
            let py =
                "import http.client as h;c=h.HTTPConnection('127.0.0.1',\(port),timeout=5);c.request('GET','/healthz',headers={'Host':'\(host)'});r=c.getresponse();print(r.status,r.read().decode().strip())"
            return try TestSupport.run(["python3", "-c", py]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(try get("ws.example.test"), "200 ok")
        XCTAssertTrue(try get("other.example.test").hasPrefix("404"), "the default site answers other names")
    }
}
