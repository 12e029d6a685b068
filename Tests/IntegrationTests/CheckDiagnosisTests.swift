import Foundation
import XCTest

/// `wstune check` names the limit that stops it. Each case lowers one limit only for what the test starts: a
/// child's nofile, or a sysctl inside a network namespace the test creates and deletes.
final class CheckDiagnosisTests: XCTestCase {
    /// --server-nofile 1024: the server holds about 1000, and check blames the server's fd limit. Oracle: ss
    /// (netlink) counts the established sockets the server process owns while the check holds.
    func testServerFdLimitStopsAtAboutAThousand() throws {
        var serverPIDs: Set<Int32> = []
        var ssMax = 0
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "check", "--connections", "3000", "--server-nofile", "1024", "--rate", "3000",
                "--handshake-timeout", "4", "--hold", "4", "--json",
            ], timeoutSeconds: 120
        ) { checkPID in
            for pid in CheckTestSupport.children(of: checkPID, containing: "serve") { serverPIDs.insert(pid) }
            guard let server = serverPIDs.first, let port = CheckTestSupport.portArgument(of: server) else { return }
            ssMax = max(ssMax, CheckTestSupport.establishedOwners(port: port)["\(server)"] ?? 0)
        }
        XCTAssertEqual(r.status, 1, "not reached → exit 1; stderr: \(r.stderr)")
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual(j["reached"] as? Bool, false)
        let limit = try XCTUnwrap(j["limit"] as? [String: Any], r.stdout)
        XCTAssertEqual(limit["id"] as? String, "server.nofile")
        let open = try XCTUnwrap(j["openAtEnd"] as? Int)
        XCTAssertTrue((900...1024).contains(open), "about 1000 connections, got \(open)")
        XCTAssertEqual(serverPIDs.count, 1)
        XCTAssertTrue((900...1024).contains(ssMax), "ss saw \(ssMax) established sockets owned by the server")
        XCTAssertLessThanOrEqual(abs(ssMax - open), 30)
        // The children are gone afterwards.
        for pid in serverPIDs { XCTAssertNotEqual(kill(pid, 0), 0, "server \(pid) left running") }
        // The server really ran with nofile 1024 (what prlimit gave it), as the report says.
        XCTAssertEqual((j["plan"] as? [String: Any])?["serverNofile"] as? Int, 1024)
    }

    /// Several server processes on one port and several load workers: the connections spread over the servers
    /// (ss sees each server PID own its share), the total is reached, and the broadcast reaches every client
    /// although each server process only fans out to its own clients.
    func testSeveralServerProcessesAndWorkersReachTheTargetAndBroadcastToAll() throws {
        var serverPIDs: Set<Int32> = []
        var port: String?
        var maxEstablished = 0
        var owners: [String: Int] = [:]
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "check", "--connections", "3000", "--server-nofile", "1024",
                "--server-processes", "4", "--load-workers", "2", "--rate", "3000", "--hold", "4", "--json",
            ], timeoutSeconds: 120
        ) { checkPID in
            for pid in CheckTestSupport.children(of: checkPID, containing: "serve") { serverPIDs.insert(pid) }
            if port == nil, let pid = serverPIDs.first { port = CheckTestSupport.portArgument(of: pid) }
            guard let port else { return }
            let n = CheckTestSupport.established(filter: "( src 127.0.0.1:\(port) )").count
            maxEstablished = max(maxEstablished, n)
            // Once all are up, an ss -p snapshot (again while it sees fewer than 4 owners): which server process owns each
            // server-side socket.
            if n == 3000 && owners.count < 4 { owners = CheckTestSupport.establishedOwners(port: port) }
        }
        XCTAssertEqual(r.status, 0, "reached → exit 0; stderr: \(r.stderr)")
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual(j["openAtEnd"] as? Int, 3000)
        XCTAssertEqual(serverPIDs.count, 4)
        XCTAssertEqual(maxEstablished, 3000, "ss: server-side sockets established at once")
        XCTAssertEqual(owners.count, 4, "SO_REUSEPORT spreads over all 4 processes: \(owners)")
        XCTAssertTrue(owners.values.allSatisfy { $0 < 1000 }, "each under its fd limit: \(owners)")
        let broadcast = try XCTUnwrap((j["load"] as? [String: Any])?["broadcast"] as? [String: Any])
        XCTAssertEqual(broadcast["delivered"] as? Int, 3000)
        XCTAssertEqual(((j["plan"] as? [String: Any])?["workers"] as? [Any])?.count, 2)
    }

    /// A running server named by --url and --pid (started here under prlimit with nofile 512): check reads the
    /// limit from /proc/PID/limits, finds the server at it, and blames it. Oracle: prlimit reads the limit back.
    func testRunningServerByURLAndPIDIsDiagnosed() throws {
        let port = try CheckTestSupport.freePort()
        let server = try CheckTestSupport.startReferenceServer(
            port: port, arguments: ["--threads", "1"], prefix: ["/usr/bin/prlimit", "--nofile=512:512", "--"])
        defer { CheckTestSupport.stop(server) }
        let limits = try TestSupport.run([
            "prlimit", "--pid", "\(server.processIdentifier)", "--nofile", "-o", "SOFT",
            "--noheadings",
        ]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(limits, "512")
        let r = try TestSupport.wstune(
            [
                "check", "--url", "ws://127.0.0.1:\(port)/ws/broadcast", "--pid", "\(server.processIdentifier)",
                "--connections", "1000", "--handshake-timeout", "3", "--hold", "1", "--json",
            ], timeoutSeconds: 90)
        XCTAssertEqual(r.status, 1, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual((j["limit"] as? [String: Any])?["id"] as? String, "server.nofile", r.stdout)
        XCTAssertEqual((j["plan"] as? [String: Any])?["serverNofile"] as? Int, 512)
        let open = try XCTUnwrap(j["openAtEnd"] as? Int)
        XCTAssertTrue((400...512).contains(open), "about 500 connections, got \(open)")
        XCTAssertTrue(server.isRunning, "check leaves a server it did not start running")
    }

    /// With an nftables `ct state` rule in a namespace, conntrack tracks the check's connections, and check's
    /// samples of nf_conntrack_count follow them. Oracle: `conntrack -C` polled in the namespace during the run.
    func testConntrackCountIsSampledWhereConntrackTracks() throws {
        let ns = try NetNamespace("ct")
        defer { ns.delete() }
        let rules =
            "table inet wst { chain input { type filter hook input priority 0; policy accept; "
            + "ct state established,related accept; }; }"
        let nft = try ns.exec(["nft", rules])
        XCTAssertEqual(nft.status, 0, nft.stderr)
        var oracleMax = 0
        let r = try CheckTestSupport.runPolling(
            [
                "ip", "netns", "exec", ns.name, TestSupport.wstuneBinary, "check", "--connections", "800", "--hold",
                "3",
                "--json",
            ], timeoutSeconds: 90
        ) { _ in
            let count = (try? ns.exec(["conntrack", "-C"]).stdout).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            oracleMax = max(oracleMax, count ?? 0)
        }
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        let samples = try XCTUnwrap(j["samples"] as? [[String: Any]])
        let sampledMax = samples.compactMap { $0["conntrackCount"] as? Int }.max() ?? 0
        XCTAssertGreaterThanOrEqual(oracleMax, 800)
        XCTAssertLessThanOrEqual(
            abs(sampledMax - oracleMax), 8, "check sampled \(sampledMax), conntrack -C \(oracleMax)")
        XCTAssertEqual((j["counterDeltas"] as? [String: Int])?["conntrack.drops"], 0)
    }

    /// A 200-port ephemeral range in a namespace and one source address: the client runs out of ports and check
    /// reports EADDRNOTAVAIL on the client side. Oracle: the range read back with sysctl -n in the namespace.
    func testNarrowPortRangeIsClientPortExhaustion() throws {
        let ns = try NetNamespace("ports")
        defer { ns.delete() }
        try ns.sysctl("net.ipv4.ip_local_port_range", "40000 40199")
        let range = try ns.exec(["sysctl", "-n", "net.ipv4.ip_local_port_range"]).stdout
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        XCTAssertEqual(range, [40000, 40199])
        let ports = range[1] - range[0] + 1
        let r = try ns.exec(
            [
                TestSupport.wstuneBinary, "check", "--connections", "600", "--source", "127.0.0.1",
                "--server-nofile", "4096", "--handshake-timeout", "4", "--hold", "1", "--json",
            ],
            timeoutSeconds: 120)
        XCTAssertEqual(r.status, 1, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        let limit = try XCTUnwrap(j["limit"] as? [String: Any], r.stdout)
        XCTAssertEqual(limit["id"] as? String, "client.ephemeral-ports")
        let failures = try XCTUnwrap(j["failures"] as? [String: Int])
        XCTAssertGreaterThan(failures["EADDRNOTAVAIL"] ?? 0, 0)
        let open = try XCTUnwrap(j["openAtEnd"] as? Int)
        XCTAssertLessThanOrEqual(open, ports)
        XCTAssertGreaterThanOrEqual(open, ports - 20)
        XCTAssertEqual(failures["EADDRNOTAVAIL"] ?? 0, 600 - open)
    }

    /// somaxconn 16 in a namespace and an unpaced ramp: the accept queue overflows and check shows it.
    /// Oracle: TcpExt ListenOverflows read with nstat inside the namespace after the run.
    func testSmallSomaxconnShowsListenOverflows() throws {
        let ns = try NetNamespace("backlog")
        defer { ns.delete() }
        try ns.sysctl("net.core.somaxconn", "16")
        let r = try ns.exec(
            [
                TestSupport.wstuneBinary, "check", "--connections", "4000", "--rate", "0",
                "--server-nofile", "8192", "--handshake-timeout", "10", "--hold", "1", "--json",
            ],
            timeoutSeconds: 150)
        XCTAssertTrue(r.status == 0 || r.status == 1, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        let findings = try XCTUnwrap(j["findings"] as? [[String: Any]])
        XCTAssertTrue(findings.contains { $0["id"] as? String == "net.somaxconn" }, "\(findings)")
        let deltas = try XCTUnwrap(j["counterDeltas"] as? [String: Int])
        let reported = (deltas["TcpExt.ListenOverflows"] ?? 0) + (deltas["TcpExt.ListenDrops"] ?? 0)
        XCTAssertGreaterThan(reported, 0)
        let nstat = try ns.exec(["nstat", "-az", "TcpExtListenOverflows", "TcpExtListenDrops"]).stdout
        let kernel = nstat.split(separator: "\n").compactMap { line -> Int? in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            return f.count >= 2 && f[0].hasPrefix("TcpExtListen") ? Int(f[1]) : nil
        }.reduce(0, +)
        XCTAssertGreaterThanOrEqual(kernel, reported, "nstat in the namespace: \(nstat)")
    }
}
