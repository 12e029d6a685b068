import Foundation
import XCTest

/// `wstune load` against independent peers: the Python `websockets` server, the reference server, and a port
/// with nothing listening. Socket counts are verified with `ss` while the load holds.
final class LoadBasicsTests: XCTestCase {
    func testRampHoldAndEchoAgainstPythonServerSpreadOverSources() throws {
        let (server, port) = try CheckTestSupport.startPythonServer()
        defer { CheckTestSupport.stop(server) }
        var maxSeen = 0
        var sources = Set<String>()
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "load", "ws://127.0.0.1:\(port)/ws", "--connections", "300", "--rate", "1000",
                "--hold", "3", "--message-rate", "2", "--message-size", "64", "--source", "127.0.0.2-127.0.0.4",
                "--json",
            ],
            timeoutSeconds: 60
        ) { _ in
            let lines = CheckTestSupport.established(filter: "( dst 127.0.0.1:\(port) )")
            if lines.count > maxSeen {
                maxSeen = lines.count
                // Column 3 is the local address:port of the client socket.
                sources = Set(
                    lines.compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first }
                        .map { String($0.split(separator: ":").first ?? "") })
            }
        }
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual(j["openAtEnd"] as? Int, 300)
        XCTAssertEqual(maxSeen, 300, "ss should see all 300 client sockets established at once")
        XCTAssertEqual(sources, ["127.0.0.2", "127.0.0.3", "127.0.0.4"], "connections spread over the source range")
        let echo = try XCTUnwrap(j["echo"] as? [String: Any])
        XCTAssertGreaterThan(echo["count"] as? Int ?? 0, 300, "echo round trips measured during the hold")
        XCTAssertEqual((j["failures"] as? [String: Any])?.count, 0)
        let hs = try XCTUnwrap(j["handshake"] as? [String: Any])
        XCTAssertEqual(hs["count"] as? Int, 300)
        XCTAssertLessThanOrEqual(hs["p50Micros"] as? Int ?? 0, hs["p99Micros"] as? Int ?? 0)
    }

    func testBroadcastReachesEveryClientOfPythonServer() throws {
        let (server, port) = try CheckTestSupport.startPythonServer()
        defer { CheckTestSupport.stop(server) }
        var maxSeen = 0
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "load", "ws://127.0.0.1:\(port)/ws/broadcast", "--connections", "200",
                "--rate", "0", "--hold", "2", "--json",
            ], timeoutSeconds: 60
        ) { _ in maxSeen = max(maxSeen, CheckTestSupport.established(filter: "( dst 127.0.0.1:\(port) )").count) }
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        let b = try XCTUnwrap(j["broadcast"] as? [String: Any])
        XCTAssertEqual(b["expected"] as? Int, 200)
        XCTAssertEqual(b["delivered"] as? Int, 200)
        XCTAssertEqual(maxSeen, 200)
    }

    func testReferenceServerHoldsConnectionsCountedBySS() throws {
        let port = try CheckTestSupport.freePort()
        let server = try CheckTestSupport.startReferenceServer(port: port, arguments: ["--threads", "1"])
        defer { CheckTestSupport.stop(server) }
        var maxSeen = 0
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "load", "ws://127.0.0.1:\(port)/ws", "--connections", "1000", "--rate",
                "2000",
                "--hold", "2", "--message-rate", "1", "--json",
            ], timeoutSeconds: 60
        ) { _ in maxSeen = max(maxSeen, CheckTestSupport.established(filter: "( dst 127.0.0.1:\(port) )").count) }
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual(j["openAtEnd"] as? Int, 1000)
        XCTAssertEqual(maxSeen, 1000)
        XCTAssertGreaterThan((j["echo"] as? [String: Any])?["count"] as? Int ?? 0, 0)
    }

    func testNothingListeningIsCountedAsConnectionRefused() throws {
        // A port the kernel just handed out and nobody listens on (ss confirms it).
        let port = try CheckTestSupport.freePort()
        XCTAssertTrue(try TestSupport.run(["ss", "-Htln", "( sport = :\(port) )"]).stdout.isEmpty)
        let r = try TestSupport.wstune(
            [
                "load", "ws://127.0.0.1:\(port)/ws", "--connections", "50", "--hold", "0",
                "--json",
            ], timeoutSeconds: 60)
        XCTAssertEqual(r.status, 1, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual((j["failures"] as? [String: Int])?["ECONNREFUSED"], 50)
        XCTAssertEqual(j["openAtEnd"] as? Int, 0)
    }

    /// SYNs that go unanswered (an nftables rule in a test namespace drops them, as a full listen queue or a
    /// full conntrack table would) end as connect timeouts after --connect-timeout, not as handshake timeouts:
    /// check's diagnosis tells SYN drops from a server that does not answer by this.
    func testDroppedSYNsAreCountedAsConnectTimeouts() throws {
        let ns = try NetNamespace("17-syn-drop")
        defer { ns.delete() }
        try ns.exec(["nft", "add", "table", "inet", "wst"])
        try ns.exec(["nft", "add", "chain", "inet", "wst", "in", "{ type filter hook input priority 0; }"])
        try ns.exec(["nft", "add", "rule", "inet", "wst", "in", "tcp", "dport", "9", "tcp", "flags", "syn", "drop"])
        let started = Date()
        let r = try ns.exec(
            [
                TestSupport.wstuneBinary, "load", "ws://127.0.0.1:9/ws", "--connections", "20", "--hold", "0",
                "--connect-timeout", "1", "--handshake-timeout", "6", "--json",
            ], timeoutSeconds: 60)
        XCTAssertEqual(r.status, 1, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual((j["failures"] as? [String: Int])?["connect-timeout"], 20, r.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5.5, "timed out by --connect-timeout, not the handshake's")
        XCTAssertEqual(j["openAtEnd"] as? Int, 0)
    }

    /// The reference server's connection cap answers 503 and its origin allow-list 403; load counts each by kind.
    func testServerRefusalsAreCountedByHTTPStatus() throws {
        let port = try CheckTestSupport.freePort()
        let server = try CheckTestSupport.startReferenceServer(
            port: port,
            arguments: ["--threads", "1", "--max-connections", "100", "--allow-origin", "http://good.example"])
        defer { CheckTestSupport.stop(server) }
        var samples: [Int] = []
        let capped = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "load", "ws://127.0.0.1:\(port)/ws", "--connections", "150", "--rate", "500",
                "--origin", "http://good.example", "--hold", "2", "--json",
            ], timeoutSeconds: 60
        ) { _ in samples.append(CheckTestSupport.established(filter: "( dst 127.0.0.1:\(port) )").count) }
        let maxSeen = samples.max() ?? 0
        XCTAssertEqual(capped.status, 1, capped.stderr)
        let j = try CheckTestSupport.json(capped.stdout)
        XCTAssertEqual(j["openAtEnd"] as? Int, 100)
        XCTAssertEqual((j["failures"] as? [String: Int])?["HTTP-503"], 50)
        // ss during the hold: exactly the cap. A refused connection is established for a moment (until the client
        // reads its 503), so the ramp may show a few more for an instant, never many.
        XCTAssertTrue(samples.contains(100), "ss never saw the cap of 100: \(samples)")
        XCTAssertLessThanOrEqual(maxSeen, 105, "ss: the server held its cap (\(samples))")
        let refused = try TestSupport.wstune([
            "load", "ws://127.0.0.1:\(port)/ws", "--connections", "20",
            "--origin", "http://evil.example", "--hold", "0", "--json",
        ])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertEqual((try CheckTestSupport.json(refused.stdout)["failures"] as? [String: Int])?["HTTP-403"], 20)
    }

    /// The load client under a 256-fd limit (prlimit on the child only): it stops at its own limit and counts
    /// EMFILE. Oracle: ss sees no more than 256 client sockets established at once.
    func testClientFdLimitIsCountedAsEMFILE() throws {
        let (server, port) = try CheckTestSupport.startPythonServer()
        defer { CheckTestSupport.stop(server) }
        var maxSeen = 0
        let r = try CheckTestSupport.runPolling(
            [
                "prlimit", "--nofile=256:256", "--", TestSupport.wstuneBinary, "load", "ws://127.0.0.1:\(port)/ws",
                "--connections", "400", "--rate", "0", "--hold", "2", "--json",
            ], timeoutSeconds: 60
        ) { _ in maxSeen = max(maxSeen, CheckTestSupport.established(filter: "( dst 127.0.0.1:\(port) )").count) }
        XCTAssertEqual(r.status, 1, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        let open = try XCTUnwrap(j["openAtEnd"] as? Int)
        let emfile = (j["failures"] as? [String: Int])?["EMFILE"] ?? 0
        XCTAssertGreaterThan(emfile, 0)
        XCTAssertEqual(open + emfile, 400, "every connection either open or refused by EMFILE")
        XCTAssertLessThan(open, 256)
        XCTAssertGreaterThan(open, 200)
        XCTAssertLessThanOrEqual(maxSeen, 256)
        XCTAssertGreaterThanOrEqual(maxSeen, open)
    }

    /// The reference server drains on SIGTERM (a 1001 close to every client) while the load holds: every
    /// connection is counted as closed by the peer. Oracle: ss saw all 100 up before the drain.
    func testServerDrainIsCountedAsClosedByPeer() throws {
        let port = try CheckTestSupport.freePort()
        let server = try CheckTestSupport.startReferenceServer(
            port: port, arguments: ["--threads", "1", "--drain-timeout", "2"])
        defer { CheckTestSupport.stop(server) }
        var maxSeen = 0
        var drained = false
        let r = try CheckTestSupport.runPolling(
            [
                TestSupport.wstuneBinary, "load", "ws://127.0.0.1:\(port)/ws", "--connections", "100", "--hold", "6",
                "--json",
            ], timeoutSeconds: 60
        ) { _ in
            let n = CheckTestSupport.established(filter: "( dst 127.0.0.1:\(port) )").count
            maxSeen = max(maxSeen, n)
            if n == 100 && !drained {
                drained = true
                kill(server.processIdentifier, SIGTERM)
            }
        }
        XCTAssertTrue(drained, "all 100 were up before the drain")
        XCTAssertEqual(r.status, 1, r.stderr)
        let j = try CheckTestSupport.json(r.stdout)
        XCTAssertEqual(j["connected"] as? Int, 100)
        XCTAssertEqual(j["openAtEnd"] as? Int, 0)
        XCTAssertEqual(j["closedByPeer"] as? Int, 100)
        XCTAssertEqual((j["failures"] as? [String: Int])?["closed-by-peer"], 100)
    }

    func testBadURLCannotRun() throws {
        let r = try TestSupport.wstune(["load", "https://example.invalid/ws", "--connections", "1"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("scheme must be ws://"), r.stderr)
    }
}
