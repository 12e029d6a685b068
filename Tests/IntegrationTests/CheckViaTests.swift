import Foundation
import WSTTestSupport
import XCTest

/// `check --via nginx|haproxy` with the real proxies (Debian's nginx and HAProxy) in front of the started servers,
/// on loopback: the target reached through each, and each hop's limit named with the proxy's own evidence,
/// predicted within 15 % of what was reached. `ss` (netlink, owner by pid) is the oracle for what the proxy held.
final class CheckViaTests: XCTestCase {
    override func setUpWithError() throws {
        try ProxyTestSupport.requireTool("nginx")
        try ProxyTestSupport.requireTool("haproxy")
    }

    struct Run {
        var result: CommandResult
        var json: [String: Any]
        /// The most established sockets the proxy's processes owned at once (client and upstream sides).
        var proxySocketsMax: Int
        var proxyPIDs: Set<Int32>
    }

    /// Runs a check through `proxy` (profile proxy, one proxy worker), polling `ss -tnp` for the sockets that the
    /// proxy's processes (the check's proxy child and its workers) own.
    func check(_ proxy: String, _ extra: [String], json: Bool = true) throws -> Run {
        var pids: Set<Int32> = []
        var most = 0
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "check", "--profile", "proxy", "--via", proxy, "--proxy-workers", "1",
                "--hold", "1", "--handshake-timeout", "4",
            ] + extra + (json ? ["--json"] : []), timeoutSeconds: 150
        ) { checkPID in
            for master in CheckTestSupport.children(of: checkPID, containing: proxy) {
                pids.insert(master)
                for w in CheckTestSupport.children(of: master, containing: proxy) { pids.insert(w) }
            }
            guard !pids.isEmpty, let out = try? TestSupport.run(["ss", "-Htnp", "state", "established"]).stdout
            else { return }
            let owned = out.split(separator: "\n").filter { line in
                pids.contains { line.contains("pid=\($0),") }
            }
            most = max(most, owned.count)
        }
        let j = json ? try CheckTestSupport.json(r.stdout) : [:]
        // Everything the check started is gone afterwards.
        for pid in pids { XCTAssertNotEqual(kill(pid, 0), 0, "\(proxy) process \(pid) left running") }
        return Run(result: r, json: j, proxySocketsMax: most, proxyPIDs: pids)
    }

    func limitID(_ j: [String: Any]) -> String? { (j["limit"] as? [String: Any])?["id"] as? String }

    /// The prediction's binding limit: (id, connections).
    func predicted(_ j: [String: Any]) -> (String, Int)? {
        guard let limits = (j["prediction"] as? [String: Any])?["limits"] as? [[String: Any]] else { return nil }
        let pairs = limits.compactMap { l -> (String, Int)? in
            guard let id = l["id"] as? String, let n = l["connections"] as? Int else { return nil }
            return (id, n)
        }
        return pairs.min { $0.1 < $1.1 }
    }

    func assertWithin15Percent(_ j: [String: Any], id: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let (pid, p) = predicted(j), let reached = j["openAtEnd"] as? Int else {
            return XCTFail("no prediction or openAtEnd", file: file, line: line)
        }
        XCTAssertEqual(pid, id, "the prediction binds on the same limit", file: file, line: line)
        XCTAssertLessThanOrEqual(
            abs(Double(reached - p)) / Double(p), 0.15, "predicted \(p) vs reached \(reached)", file: file, line: line)
    }

    func testTargetReachedThroughNginxAndThroughHAProxy() throws {
        for proxy in ["nginx", "haproxy"] {
            let run = try check(proxy, ["--connections", "1000"])
            XCTAssertEqual(run.result.status, 0, "\(proxy): \(run.result.stderr)\n\(run.result.stdout.prefix(2000))")
            XCTAssertEqual(run.json["reached"] as? Bool, true)
            let via = try XCTUnwrap(run.json["via"] as? [String: Any])
            XCTAssertEqual(via["kind"] as? String, proxy)
            // Each proxied WebSocket is two sockets of the proxy's (client side and upstream): ss saw them all.
            XCTAssertGreaterThanOrEqual(run.proxySocketsMax, 2 * 1000 - 20, "\(proxy): ss saw \(run.proxySocketsMax)")
            XCTAssertLessThanOrEqual(run.proxySocketsMax, 2 * 1000 + 20)
        }
    }

    func testNginxWorkerConnectionsBelowTwoNIsNamed() throws {
        let run = try check("nginx", ["--connections", "1000", "--proxy-connections", "600"])
        XCTAssertEqual(run.result.status, 1, run.result.stderr)
        XCTAssertEqual(limitID(run.json), "proxy.worker-connections", run.result.stdout.prefix(3000).description)
        assertWithin15Percent(run.json, id: "proxy.worker-connections")
        let reached = try XCTUnwrap(run.json["openAtEnd"] as? Int)
        // 600 slots, one listener: ss saw about 2 × 299 sockets of nginx's at the peak.
        XCTAssertLessThanOrEqual(abs(run.proxySocketsMax - 2 * reached), 20, "ss \(run.proxySocketsMax), \(reached)")
        let evidence = ((run.json["limit"] as? [String: Any])?["evidence"] as? [String]) ?? []
        XCTAssertTrue(evidence.contains { $0.contains("worker_connections are not enough") }, "\(evidence)")
    }

    func testProxyNofile1024IsNamedAndTheReportStatesPredictedAgainstReached() throws {
        let run = try check("nginx", ["--connections", "1500", "--proxy-nofile", "1024"], json: false)
        XCTAssertEqual(run.result.status, 1, run.result.stderr)
        let text = run.result.stdout
        XCTAssertTrue(text.contains("[proxy.nofile]"), text)
        XCTAssertTrue(text.contains("(24: Too many open files)"), text)
        // "predicted: 506 (bound by proxy.nofile: …); reached 507 (100 % of predicted)"
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("predicted:") }.map(String.init))
        XCTAssertTrue(line.contains("bound by proxy.nofile"), line)
        let numbers = line.split(whereSeparator: { !$0.isNumber && $0 != "," }).map {
            Int($0.replacingOccurrences(of: ",", with: ""))
        }
        let p = try XCTUnwrap(numbers.first ?? nil)
        let pct = try XCTUnwrap(line.range(of: "% of predicted").map { line[..<$0.lowerBound] })
        let percent = try XCTUnwrap(Int(pct.split(separator: "(").last?.trimmingCharacters(in: .whitespaces) ?? ""))
        XCTAssertTrue((85...115).contains(percent), line)
        XCTAssertTrue((450...560).contains(p), "(1024 − 11) / 2 ≈ 506: \(line)")
        // nginx's worker held as many sockets as its nofile allows: ss saw at most 1024 of them.
        XCTAssertLessThanOrEqual(run.proxySocketsMax, 1024)
        XCTAssertGreaterThanOrEqual(run.proxySocketsMax, 2 * 450)
    }

    func testHAProxyMaxconnIsNamed() throws {
        let run = try check("haproxy", ["--connections", "1000", "--proxy-connections", "600"])
        XCTAssertEqual(run.result.status, 1, run.result.stderr)
        XCTAssertEqual(limitID(run.json), "proxy.maxconn", run.result.stdout.prefix(3000).description)
        assertWithin15Percent(run.json, id: "proxy.maxconn")
        XCTAssertLessThanOrEqual(run.proxySocketsMax, 2 * 600 + 10, "ss saw \(run.proxySocketsMax)")
    }

    func testBackendNofileNamesTheBackend() throws {
        let run = try check("nginx", ["--connections", "1500", "--server-nofile", "1024"])
        XCTAssertEqual(run.result.status, 1, run.result.stderr)
        XCTAssertEqual(limitID(run.json), "server.nofile", run.result.stdout.prefix(3000).description)
        assertWithin15Percent(run.json, id: "server.nofile")
    }

    func testInterruptLeavesNoProxyProcess() throws {
        var seen: Set<Int32> = []
        var interrupted = false
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "check", "--profile", "proxy", "--via", "nginx", "--proxy-workers", "1",
                "--connections", "500", "--hold", "30",
            ], timeoutSeconds: 90
        ) { checkPID in
            for master in CheckTestSupport.children(of: checkPID, containing: "nginx") {
                seen.insert(master)
                for w in CheckTestSupport.children(of: master, containing: "nginx") { seen.insert(w) }
            }
            if !interrupted && seen.count >= 2 {
                usleep(1_500_000)
                kill(checkPID, SIGINT)
                interrupted = true
            }
        }
        XCTAssertTrue(interrupted, "nginx never started: \(r.stderr)")
        XCTAssertNotEqual(r.status, 0)
        usleep(500_000)
        for pid in seen { XCTAssertNotEqual(kill(pid, 0), 0, "nginx \(pid) outlived the interrupted check") }
    }

    /// --proxy-config: the user's own config (here one rendered for another host: listen 127.0.0.1:8080, a backend
    /// at 10.9.9.9:9000 that does not exist) runs with the run's own port and backends, and holds the target.
    func testUsersOwnConfigRunsAgainstTheStartedBackends() throws {
        let dir = try TreeWriter.temporaryDirectory("via-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        for proxy in ["nginx", "haproxy"] {
            let rendered = try TestSupport.wstune([
                "render", proxy, "--profile", "proxy", "--connections", "500", "--workers", "1", "--listen",
                "127.0.0.1:8080", "--backend", "10.9.9.9:9000",
            ])
            XCTAssertEqual(rendered.status, 0, rendered.stderr)
            let config = dir.appendingPathComponent("\(proxy).conf")
            // CRLF line ends, as a config edited elsewhere may have.
            try rendered.stdout.replacingOccurrences(of: "\n", with: "\r\n").write(
                to: config, atomically: true, encoding: .utf8)
            let run = try check(
                proxy, ["--connections", "300", "--proxy-config", config.path, "--proxy-nofile", "2000"])
            XCTAssertEqual(run.result.status, 0, "\(proxy): \(run.result.stderr)")
            let via = try XCTUnwrap(run.json["via"] as? [String: Any])
            XCTAssertFalse((via["listen"] as? String ?? "").contains(":8080"), "\(via)")
            XCTAssertGreaterThanOrEqual(run.proxySocketsMax, 2 * 300 - 10, "\(proxy): ss saw \(run.proxySocketsMax)")
        }
    }

    /// A 1,000-port range inside a namespace: the clients come from 39 source addresses (39 × 1,000 4-tuples to the
    /// proxy), but nginx reaches its one backend from one source address, so its upstream connects run out of
    /// ports (connect() EADDRNOTAVAIL in nginx's log) at about 1,000. Oracle: `sysctl -n` inside the namespace.
    func testOneProxySourceAddressRunsOutOfUpstreamPorts() throws {
        let ns = try NetNamespace("via-ports")
        defer { ns.delete() }
        try ns.sysctl("net.ipv4.ip_local_port_range", "40000 40999")
        let range = try ns.exec(["sysctl", "-n", "net.ipv4.ip_local_port_range"]).stdout
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        XCTAssertEqual(range, [40000, 40999])
        let r = try ns.exec(
            [
                TestSupport.wstuneBinary, "check", "--profile", "proxy", "--via", "nginx", "--proxy-workers", "1",
                "--connections", "1400", "--handshake-timeout", "4", "--hold", "1", "--json",
            ], timeoutSeconds: 150)
        XCTAssertEqual(r.status, 1, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual(limitID(j), "proxy.upstream-ports", r.stdout.prefix(3000).description)
        assertWithin15Percent(j, id: "proxy.upstream-ports")
        let evidence = ((j["limit"] as? [String: Any])?["evidence"] as? [String]) ?? []
        XCTAssertTrue(evidence.contains { $0.contains("(99: Cannot assign requested address)") }, "\(evidence)")
    }
}
