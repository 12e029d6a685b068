import Foundation
import XCTest

/// `wstune top` in tmux (a real terminal): it takes the alternate screen and hides the cursor, draws, updates,
/// and gives the terminal back on q, on SIGINT and after a resize. Off a terminal: one line / JSON per interval.
final class TopTests: XCTestCase {
    func tmux(_ args: [String]) throws -> CommandResult {
        try TestSupport.run(["tmux", "-L", socketName] + args, timeoutSeconds: 10)
    }

    var socketName: String { "wst-top-\(getpid())" }

    func pane(_ format: String, _ session: String) throws -> String {
        try tmux(["display-message", "-p", "-t", session, format]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    /// A frame line "port P  N" with N the count ss measured.
    static func showsPort(_ screen: String, _ port: String, _ count: String) -> Bool {
        screen.split(separator: "\n").contains { $0.split(separator: " ").map(String.init) == ["port", port, count] }
    }

    /// Polls `condition` every 100 ms for at most `seconds`.
    func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    func testTopDrawsUpdatesAndRestoresTheTerminal() throws {
        guard (try? TestSupport.run(["tmux", "-V"]))?.status == 0 else { throw XCTSkip("tmux missing") }
        let ns = try NetNamespace("top")
        var peers: CountTestPeers?
        defer {
            _ = try? tmux(["kill-server"])
            peers?.stop()
            ns.delete()
        }
        peers = try CountTestPeers(
            namespace: ns, portA: 8821, portB: 8822, ipv4A: 200, ipv4B: 100, ipv6A: 50,
            ipv6B: 50, timeWait: 10, closeWait: 5)
        let expected = try ns.exec(["sh", "-c", "ss -Htn state established '( sport = :8821 )' | wc -l"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for ending in ["q", "C-c", "resize-then-q"] {
            let session = "top-\(ending)"
            // A shell around top stays after it (a dead pane would hide the cursor whatever top did): it records
            // the exit status and whether the terminal modes (stty -g) are the ones top found.
            let top = "ip netns exec \(ns.name) \(TestSupport.wstuneBinary) top --port 8821 --interval 0.2"
            let script =
                "trap : INT; before=$(stty -g); \(top); s=$?; [ \"$before\" = \"$(stty -g)\" ] && echo tty-same; "
                + "echo top-exit=$s; sleep 60"
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("wst-top-\(getpid()).sh")
            try script.write(to: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: path) }
            // The tmux server outlives this call: its output goes to /dev/null so no pipe is left open behind it;
            // system(3) waits for this one child itself (Foundation's Process did not notice this tmux client exit).
            let status = system(
                "tmux -L \(socketName) new-session -d -s \(session) -x 120 -y 40 'bash \(path.path)' "
                    + "</dev/null >/dev/null 2>&1")
            XCTAssertTrue(status == 0 || errno == ECHILD, "tmux new-session: \(status)")
            // Draws: the frame shows the established count ss measured for the port.
            XCTAssertTrue(
                try eventually(10) {
                    TopTests.showsPort(try tmux(["capture-pane", "-p", "-t", session]).stdout, "8821", expected)
                }, (try? tmux(["capture-pane", "-p", "-t", session]).stdout) ?? "")
            XCTAssertEqual(try pane("#{alternate_on}", session), "1", "alternate screen while running")
            XCTAssertEqual(try pane("#{cursor_flag}", session), "0", "cursor hidden while running")
            // Updates: the clock in the title line changes between frames.
            let first = try tmux(["capture-pane", "-p", "-t", session]).stdout.split(separator: "\n").first ?? ""
            XCTAssertTrue(
                try eventually(5) {
                    (try tmux(["capture-pane", "-p", "-t", session]).stdout.split(separator: "\n").first ?? "") != first
                }, "the frame is redrawn")
            switch ending {
            case "q":
                _ = try tmux(["send-keys", "-t", session, "q"])
            case "C-c":
                _ = try tmux(["send-keys", "-t", session, "C-c"])
            default:
                _ = try tmux(["resize-window", "-t", session, "-x", "90", "-y", "30"])
                XCTAssertTrue(
                    try eventually(5) {
                        TopTests.showsPort(try tmux(["capture-pane", "-p", "-t", session]).stdout, "8821", expected)
                    }, "redrawn after the resize")
                XCTAssertEqual(try pane("#{alternate_on}", session), "1")
                _ = try tmux(["send-keys", "-t", session, "q"])
            }
            XCTAssertTrue(
                try eventually(5) {
                    try tmux(["capture-pane", "-p", "-t", session]).stdout.contains("top-exit=")
                }, "\(ending) ends top")
            let after = try tmux(["capture-pane", "-p", "-t", session]).stdout
            XCTAssertTrue(after.contains("top-exit=0"), "exit status after \(ending): \(after)")
            XCTAssertTrue(after.contains("tty-same"), "terminal modes restored after \(ending)")
            XCTAssertEqual(try pane("#{alternate_on}", session), "0", "alternate screen left after \(ending)")
            XCTAssertEqual(try pane("#{cursor_flag}", session), "1", "cursor shown again after \(ending)")
            XCTAssertFalse(
                try tmux(["capture-pane", "-p", "-t", session]).stdout.contains("ESTABLISHED"),
                "the frame does not remain on the main screen")
            _ = try tmux(["kill-session", "-t", session])
        }
    }

    func testTopWithoutATerminalPrintsOneLineOrObjectPerInterval() throws {
        let ns = try NetNamespace("topline")
        var peers: CountTestPeers?
        defer {
            peers?.stop()
            ns.delete()
        }
        peers = try CountTestPeers(
            namespace: ns, portA: 8831, portB: 8832, ipv4A: 120, ipv4B: 30, ipv6A: 40,
            ipv6B: 10, timeWait: 5, closeWait: 3)
        let expected = Int(
            try ns.exec(["sh", "-c", "ss -Htn state established '( sport = :8831 )' | wc -l"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines))
        let lines = try ns.exec([
            TestSupport.wstuneBinary, "top", "--port", "8831", "--interval", "0.1",
            "--iterations", "3",
        ])
        XCTAssertEqual(lines.status, 0, lines.stderr)
        let rows = lines.stdout.split(separator: "\n")
        XCTAssertEqual(rows.count, 3)
        XCTAssertTrue(rows.allSatisfy { $0.contains("established=\(expected!)") }, lines.stdout)
        XCTAssertFalse(lines.stdout.contains("\u{1B}"), "no escape sequences off a terminal")

        // Without --port: every socket in the namespace.
        let json = try ns.exec([TestSupport.wstuneBinary, "top", "--interval", "0.1", "--iterations", "2", "--json"])
        let objects = try json.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(objects.count, 2)
        let all = Int(
            try ns.exec(["sh", "-c", "ss -Htn state established | wc -l"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(objects.first?["established"] as? Int, all)
        let tw = Int(
            try ns.exec(["sh", "-c", "ss -Htn state time-wait | wc -l"])
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(tw, 5)
        XCTAssertEqual((objects.last?["states"] as? [String: Int])?["time-wait"], tw)
        XCTAssertNotNil(objects.last?["openedPerSecond"] as? Double, "the second object has rates")
    }
}
