import Foundation
import XCTest

/// Heartbeats, deadlines, limits, broadcast, drain and logging of `wstune serve`.
final class ServeLifecycleTests: XCTestCase {
    override func setUpWithError() throws { try ServePeer.requirePython() }

    func testPingPongAndHeartbeat() throws {
        let server = try ServeProcess(["--ping-interval", "0.5"])
        defer { server.stop() }
        let ping = try ServePeer.run("ping", port: server.port)
        XCTAssertEqual(ping["pong"] as? Bool, true, "the server answers a client ping")
        // websockets answers pings by itself: it stays connected across four intervals.
        let alive = try ServePeer.run("heartbeat", port: server.port, ["2.0"])
        XCTAssertEqual(alive["echo"] as? String, "alive")
        // A peer that never answers is closed after two intervals (the sweep runs once per interval).
        let silent = try ServePeer.run("silent_peer", port: server.port)
        let after = try XCTUnwrap(silent["closed_after"] as? Double)
        XCTAssertGreaterThanOrEqual(after, 0.85)
        XCTAssertLessThan(after, 3.0)
        XCTAssertGreaterThanOrEqual(silent["pings"] as? Int ?? 0, 1)
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_pong_timeouts_total"], 1)
        XCTAssertEqual(m["wstune_pings_received_total"], 1)
        XCTAssertGreaterThanOrEqual(m["wstune_pings_sent_total"] ?? 0, 4)
        XCTAssertGreaterThanOrEqual(m["wstune_pongs_received_total"] ?? 0, 3)
    }

    func testHalfSentRequestIsClosedAtTheHTTPDeadline() throws {
        let server = try ServeProcess(["--http-deadline", "1"])
        defer { server.stop() }
        let r = try ServePeer.run("slowloris", port: server.port)
        let after = try XCTUnwrap(r["closed_after"] as? Double)
        XCTAssertGreaterThanOrEqual(after, 0.9)
        XCTAssertLessThan(after, 3.0)
        XCTAssertEqual(try server.metrics()["wstune_handshakes_refused_total{reason=\"timeout\"}"], 1)
    }

    func testOriginAllowListRefusesOthersWith403() throws {
        let server = try ServeProcess(["--allow-origin", "https://good.example,https://also.example"])
        defer { server.stop() }
        let r = try ServePeer.run("origin", port: server.port, ["https://good.example", "https://evil.example"])
        XCTAssertEqual(r["allowed_echo"] as? String, "from allowed")
        XCTAssertEqual(r["refused_status"] as? Int, 403)
        XCTAssertEqual(r["no_origin_status"] as? Int, 403)
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_handshakes_refused_total{reason=\"origin\"}"], 2)
        XCTAssertEqual(m["wstune_handshakes_total"], 1)
    }

    func testConnectionCapRefusesWith503AndReadyzFollows() throws {
        let server = try ServeProcess(["--max-connections", "3"])
        defer { server.stop() }
        let r = try ServePeer.run("capacity", port: server.port, ["3"])
        XCTAssertEqual(r["held"] as? Int, 3)
        XCTAssertEqual(r["readyz_at_cap"] as? Int, 503)
        XCTAssertEqual(r["over_cap_status"] as? Int, 503)
        XCTAssertEqual(r["readyz_after_close"] as? Int, 200)
        XCTAssertEqual(r["reconnect_ok"] as? Bool, true)
        let m = try server.metrics(within: 5) { $0["wstune_connections_active"] == 0 }
        XCTAssertEqual(m["wstune_handshakes_refused_total{reason=\"capacity\"}"], 1)
        XCTAssertEqual(m["wstune_handshakes_total"], 4)
        XCTAssertEqual(try server.get("/readyz").status, 200)
    }

    func testBroadcastReachesEveryClient() throws {
        let server = try ServeProcess(["--threads", "2"])
        defer { server.stop() }
        let r = try ServePeer.run("broadcast", port: server.port, ["4", "5"])
        XCTAssertEqual(r["all_received_in_order"] as? Bool, true)
        let m = try server.metrics()
        XCTAssertEqual(m["wstune_messages_received_total"], 5)
        XCTAssertEqual(m["wstune_messages_sent_total"], 20)
    }

    func testSlowConsumerIsDisconnectedOrItsMessagesDropped() throws {
        for (policy, metric) in [
            ("disconnect", "wstune_slow_consumer_disconnects_total"), ("drop", "wstune_slow_consumer_drops_total"),
        ] {
            let server = try ServeProcess(["--send-queue", "65536", "--on-overflow", policy])
            defer { server.stop() }
            let r = try ServePeer.run("slow_consumer", port: server.port, ["300", "65536"])
            XCTAssertEqual(r["sender_received"] as? Int, 300, "the reading client keeps getting every message")
            let m = try server.metrics()
            XCTAssertGreaterThanOrEqual(m[metric] ?? 0, 1, policy)
            if policy == "disconnect" { XCTAssertEqual(m[metric], 1) }
            // Memory stays bounded: the stalled client never had more than the queue plus one message waiting.
            let rss = try XCTUnwrap(m["process_resident_memory_bytes"])
            XCTAssertLessThan(rss, 200_000_000, policy)
        }
    }

    func testSIGTERMDrainsWith1001AndExitsZero() throws {
        let server = try ServeProcess(["--drain-timeout", "2"])
        defer { server.stop() }
        let answering = try ServePeer.start("drain_clients", port: server.port, ["3"])
        defer { answering.stop() }
        let silent = try ServePeer.start("unanswering_client", port: server.port)
        defer { silent.stop() }
        XCTAssertEqual(try server.metrics()["wstune_connections_active"], 4)

        let started = Date()
        server.signal(SIGTERM)
        // While the silent client holds the drain open: /readyz 503 and upgrades refused with 503.
        let m = try server.metrics(within: 2) { $0["wstune_draining"] == 1 }
        XCTAssertEqual(m["wstune_draining"], 1)
        XCTAssertEqual(try server.get("/readyz").status, 503)
        XCTAssertEqual(try server.upgradeStatus(path: "/ws"), 503)

        let status = server.waitForExit(seconds: 8)
        XCTAssertEqual(status, 0, server.stderr)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.8, "waited for the silent client")
        let closes = try answering.result(seconds: 5)["closes"] as? [[Any]]
        XCTAssertEqual(closes?.count, 3)
        XCTAssertEqual(closes?.compactMap { $0.first as? Int }, [1001, 1001, 1001])
        XCTAssertEqual(try silent.result(seconds: 5)["close_codes"] as? [Int], [1001])
    }

    func testSecondSignalEndsTheDrainAtOnce() throws {
        let server = try ServeProcess(["--drain-timeout", "30"])
        defer { server.stop() }
        let silent = try ServePeer.start("unanswering_client", port: server.port)
        defer { silent.stop() }
        server.signal(SIGTERM)
        _ = try server.metrics(within: 2) { $0["wstune_draining"] == 1 }
        let started = Date()
        server.signal(SIGINT)
        XCTAssertEqual(server.waitForExit(seconds: 5), 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "did not wait the 30 s drain")
        XCTAssertTrue(server.stderr.contains("second signal"), server.stderr)
    }

    func testSIGINTWithNoClientsExitsZeroAtOnce() throws {
        let server = try ServeProcess(["--drain-timeout", "5"])
        defer { server.stop() }
        let started = Date()
        server.signal(SIGINT)
        XCTAssertEqual(server.waitForExit(seconds: 5), 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }

    func testLogConnectionsWritesOneLinePerConnectAndDisconnect() throws {
        let server = try ServeProcess(["--log-connections"])
        defer { server.stop() }
        _ = try ServePeer.run("echo", port: server.port)
        _ = try server.metrics(within: 5) { $0["wstune_connections_active"] == 0 }
        server.signal(SIGTERM)
        XCTAssertEqual(server.waitForExit(seconds: 5), 0)
        usleep(100_000)
        let lines = server.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "three messages, but only connect and disconnect lines: \(lines)")
        let events = try lines.map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(events.map { $0["event"] as? String }, ["connect", "disconnect"])
        XCTAssertEqual(events[0]["id"] as? Int, events[1]["id"] as? Int)
        XCTAssertEqual(events[1]["path"] as? String, "/ws")
        XCTAssertEqual(events[1]["close_code"] as? Int, 1000)
        XCTAssertTrue((events[0]["remote"] as? String ?? "").hasPrefix("127.0.0.1:"))
    }

    func testPortZeroAndJSONPrintTheBoundPort() throws {
        let process = Process()
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: TestSupport.wstuneBinary)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--json", "--threads", "1"]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        // The first line on stdout is the listening event; availableData blocks until it is written.
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let event = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(line.split(separator: "\n").first.map { Array($0.utf8) } ?? []))
                as? [String: Any])
        XCTAssertEqual(event["event"] as? String, "listening")
        XCTAssertEqual(event["pid"] as? Int, Int(process.processIdentifier))
        let port = try XCTUnwrap(event["port"] as? Int)
        XCTAssertGreaterThan(port, 0)
        // ss (iproute2) sees this process listening on that port.
        let ss = try TestSupport.run(["ss", "-Hltnp", "sport = :\(port)"])
        XCTAssertTrue(ss.stdout.contains("pid=\(process.processIdentifier)"), ss.stdout)
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertFalse(process.isRunning)
        XCTAssertEqual(process.terminationStatus, 0)
    }

    func testReusePortLetsTwoProcessesShareAPort() throws {
        let first = try ServeProcess(["--reuse-port"])
        defer { first.stop() }
        let second = try ServeProcess(["--reuse-port"], port: first.port)
        defer { second.stop() }
        // ss (iproute2) sees two listening sockets on the port, one per process.
        let ss = try TestSupport.run(["ss", "-Hltnp", "sport = :\(first.port)"])
        let listeners = ss.stdout.split(separator: "\n")
        XCTAssertEqual(listeners.count, 2, ss.stdout)
        XCTAssertTrue(ss.stdout.contains("pid=\(first.pid)") && ss.stdout.contains("pid=\(second.pid)"), ss.stdout)
        // Without --reuse-port a third process cannot bind and says so.
        let third = try TestSupport.wstune(
            ["serve", "--host", "127.0.0.1", "--port", String(first.port)], timeoutSeconds: 20)
        XCTAssertEqual(third.status, 2)
        XCTAssertTrue(third.stderr.contains("cannot listen on 127.0.0.1:\(first.port)"), third.stderr)
    }
}
