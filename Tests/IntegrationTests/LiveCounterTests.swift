import Foundation
import XCTest

/// `count --live` / `top` with the BPF live counter: after ramps, closes, resets and half-closes of thousands of
/// loopback connections on several ports, its counts equal `ss`'s exactly; the program is gone (`bpftool`) after
/// SIGTERM and SIGINT; without the privilege it falls back to netlink and says so.
final class LiveCounterTests: XCTestCase {
    static let ports = [8871, 8872, 8873]

    /// A `wstune` process reading JSON lines.
    final class LiveProcess {
        let process = Process()
        let lines: LineReader
        init(namespace: NetNamespace, _ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["ip", "netns", "exec", namespace.name, TestSupport.wstuneBinary] + arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            lines = LineReader(out.fileHandleForReading)
        }

        /// The next JSON line as an object.
        func next() throws -> [String: Any] {
            guard let line = lines.next(),
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else { throw NSError(domain: "LiveProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "no line"]) }
            return object
        }

        func stop(_ signal: Int32 = SIGTERM) -> Int32 {
            if process.isRunning { kill(process.processIdentifier, signal) }
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            return process.terminationStatus
        }
    }

    /// Sockets per state as `ss` counts them in the namespace (names as wstune prints them), optionally only
    /// those whose local port is one of `ports`.
    static func ssStates(_ ns: NetNamespace, ports: [Int] = []) throws -> [String: Int] {
        var args = ["ss", "-Htan"]
        if !ports.isEmpty { args.append("( " + ports.map { "sport = :\($0)" }.joined(separator: " or ") + " )") }
        let out = try ns.exec(args).stdout
        let names = [
            "ESTAB": "established", "LISTEN": "listening", "SYN-SENT": "syn-sent", "SYN-RECV": "syn-recv",
            "FIN-WAIT-1": "fin-wait-1", "FIN-WAIT-2": "fin-wait-2", "TIME-WAIT": "time-wait",
            "CLOSE-WAIT": "close-wait", "LAST-ACK": "last-ack", "CLOSING": "closing", "UNCONN": "closed",
        ]
        var counts: [String: Int] = [:]
        for line in out.split(separator: "\n") {
            guard let first = line.split(separator: " ").first else { continue }
            counts[names[String(first)] ?? String(first), default: 0] += 1
        }
        return counts
    }

    static func ssEstablished(_ ns: NetNamespace, port: Int) throws -> Int {
        try ns.exec(["ss", "-Htn", "state", "established", "( sport = :\(port) )"]).stdout
            .split(separator: "\n").count
    }

    /// The live line's states, zero counts dropped (ss lists only states it has sockets in).
    static func liveStates(_ line: [String: Any]) -> [String: Int] {
        ((line["byState"] as? [String: Int]) ?? [:]).filter { $0.value != 0 }
    }

    func testLiveCountsEqualSSAfterRampsClosesAndResets() throws {
        let ns = try NetNamespace("17-live")
        var driver: LiveCounterDriver?
        var all: LiveProcess?
        var byPort: LiveProcess?
        defer {
            _ = all?.stop()
            _ = byPort?.stop()
            driver?.stop()
            ns.delete()
        }
        let ports = LiveCounterTests.ports
        driver = try LiveCounterDriver(namespace: ns, ports: ports)
        // Sockets before the counter starts: the seed dump must count them, and their later changes must leave
        // the cells the seed put them in.
        try driver!.step("open", port: ports[0], count: 600)
        try driver!.step("half", port: ports[0], count: 50)
        let live = ["count", "--live", "--json", "--source", "bpf", "--state", "all", "--interval", "0.1"]
        all = try LiveProcess(namespace: ns, live)
        byPort = try LiveProcess(namespace: ns, live + ports.flatMap { ["--port", String($0)] })
        let first = try all!.next()
        XCTAssertEqual(first["source"] as? String, "bpf", "\(first)")
        let steps: [(String, Int, Int)] = [
            ("open", ports[0], 1200), ("open", ports[1], 900), ("open", ports[2], 600),
            ("close", ports[0], 700), ("reset", ports[1], 400), ("half", ports[2], 250),
            ("open", ports[1], 300), ("close", ports[2], 200), ("reset", ports[0], 300), ("shut", ports[1], 150),
            ("open", ports[2], 100),
        ]
        try compare(ns, all!, byPort!, after: "seed")
        for (command, port, count) in steps {
            try driver!.step(command, port: port, count: count)
            try compare(ns, all!, byPort!, after: "\(command) \(port) \(count)")
        }
    }

    func compare(_ ns: NetNamespace, _ all: LiveProcess, _ byPort: LiveProcess, after step: String) throws {
        // Closes and resets go on in the kernel after the driver returns (FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT, RST
        // processing): compare once ss reads the same before and after the live lines, i.e. the states are at rest.
        var expectedAll: [String: Int] = [:]
        var expectedPorts: [String: Int] = [:]
        var lineAll: [String: Any] = [:]
        var linePorts: [String: Any] = [:]
        for attempt in 1...25 {
            expectedAll = try LiveCounterTests.ssStates(ns)
            expectedPorts = try LiveCounterTests.ssStates(ns, ports: LiveCounterTests.ports)
            lineAll = try all.next()
            linePorts = try byPort.next()
            let atRest =
                try LiveCounterTests.ssStates(ns) == expectedAll
                && LiveCounterTests.ssStates(ns, ports: LiveCounterTests.ports) == expectedPorts
            if atRest || attempt == 25 { break }
            usleep(100_000)
        }
        XCTAssertEqual(LiveCounterTests.liveStates(lineAll), expectedAll, "all ports, after \(step)")
        XCTAssertEqual(
            LiveCounterTests.liveStates(linePorts), expectedPorts, "ports \(LiveCounterTests.ports), after \(step)")
        let established = (linePorts["establishedByPort"] as? [String: Int]) ?? [:]
        for port in LiveCounterTests.ports {
            XCTAssertEqual(
                established[String(port)], try LiveCounterTests.ssEstablished(ns, port: port),
                "established on \(port), after \(step)")
        }
    }

    /// The program is loaded while `top` / `count --live` run and gone once they end on SIGTERM or SIGINT.
    func testProgramIsUnloadedOnSigtermAndSigint() throws {
        let ns = try NetNamespace("17-unload")
        defer { ns.delete() }
        for (command, signal) in [
            (["count", "--live", "--json"], SIGTERM), (["top", "--json"], SIGINT),
            (["top", "--json"], SIGTERM),
        ] {
            let p = try LiveProcess(namespace: ns, command + ["--source", "bpf", "--interval", "0.1"])
            let line = try p.next()
            guard let id = line["bpfProgramId"] as? Int else {
                _ = p.stop()
                return XCTFail("no bpfProgramId in \(line)")
            }
            let shown = try TestSupport.run(["bpftool", "prog", "show", "id", String(id)])
            XCTAssertEqual(shown.status, 0, "program \(id) loaded while \(command[0]) runs")
            XCTAssertTrue(shown.stdout.contains("wst_set_state"), shown.stdout)
            XCTAssertEqual(p.stop(signal), 0, "\(command[0]) exits 0 on signal \(signal)")
            // The kernel frees a released program after an RCU grace period: poll (bounded).
            var after = try TestSupport.run(["bpftool", "prog", "show", "id", String(id)])
            let deadline = Date().addingTimeInterval(10)
            while after.status == 0 && Date() < deadline {
                usleep(100_000)
                after = try TestSupport.run(["bpftool", "prog", "show", "id", String(id)])
            }
            XCTAssertNotEqual(after.status, 0, "program \(id) still loaded after \(command[0]) ended: \(after.stdout)")
        }
    }

    /// Without root the program cannot load: auto falls back to netlink and says why; --source bpf exits 4.
    func testWithoutPrivilegeFallsBackToNetlinkAndSaysSo() throws {
        guard TestSupport.isRoot else { throw XCTSkip("needs root to drop to nobody") }
        let asNobody = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", TestSupport.wstuneBinary]
        let auto = try TestSupport.run(asNobody + ["count", "--live", "--json", "--iterations", "1"])
        XCTAssertEqual(auto.status, 0, auto.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(auto.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["source"] as? String, "netlink", auto.stdout)
        XCTAssertFalse(((object?["sourceReason"] as? String) ?? "").isEmpty, auto.stdout)
        let top = try TestSupport.run(asNobody + ["top", "--iterations", "1"])
        XCTAssertEqual(top.status, 0, top.stderr)
        XCTAssertTrue(top.stdout.contains("source=netlink"), top.stdout)
        let demanded = try TestSupport.run(asNobody + ["count", "--live", "--source", "bpf", "--iterations", "1"])
        XCTAssertEqual(demanded.status, 4, demanded.stdout + demanded.stderr)
        XCTAssertTrue(demanded.stderr.contains("--source bpf"), demanded.stderr)
    }
}
