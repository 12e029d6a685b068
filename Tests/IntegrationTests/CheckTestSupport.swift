import Foundation
import WSTTestSupport
import XCTest

/// Helpers for the load and check integration tests: run a command in the background while polling an oracle,
/// parse JSON output, and count sockets with `ss` (netlink: independent of the /proc files check reads).
enum CheckTestSupport {
    /// Runs `arguments` to completion (bounded), calling `poll` every ~300 ms while it runs.
    static func runPolling(
        _ arguments: [String], timeoutSeconds: Double = 120,
        poll: (Int32) -> Void
    ) throws -> CommandResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        var outData = Data()
        var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while p.isRunning && Date() < deadline {
            poll(p.processIdentifier)
            usleep(300_000)
        }
        if p.isRunning {
            p.terminate()
            usleep(500_000)
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        p.waitUntilExit()
        group.wait()
        return CommandResult(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A TCP port free on 127.0.0.1 right now (bind to 0, read back, close).
    static func freePort() throws -> Int {
        try Loopback.freePort()
    }

    static func json(_ text: String) throws -> [String: Any] {
        guard let start = text.firstIndex(of: "{"),
            let obj = try JSONSerialization.jsonObject(with: Data(text[start...].utf8)) as? [String: Any]
        else {
            throw NSError(
                domain: "json", code: 1, userInfo: [NSLocalizedDescriptionKey: "no JSON object in: \(text.prefix(400))"]
            )
        }
        return obj
    }

    /// `ss -Htn state established` lines, optionally inside a namespace, filtered by an ss expression.
    static func established(filter: String, namespace: String? = nil) -> [String] {
        let prefix = namespace.map { ["ip", "netns", "exec", $0] } ?? []
        guard let r = try? TestSupport.run(prefix + ["ss", "-Htn", "state", "established", filter], timeoutSeconds: 20)
        else { return [] }
        return r.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// Server-side established sockets on 127.0.0.1:`port`, counted by owning PID (ss -p over netlink and /proc).
    /// Sockets still in the accept queue have no owner yet and are not counted.
    static func establishedOwners(port: String) -> [String: Int] {
        guard
            let out = try? TestSupport.run(
                ["ss", "-Htnp", "state", "established", "( src 127.0.0.1:\(port) )"], timeoutSeconds: 30
            ).stdout
        else { return [:] }
        var owners: [String: Int] = [:]
        for line in out.split(separator: "\n") {
            guard let r = line.range(of: "pid=") else { continue }
            owners[String(line[r.upperBound...].prefix { $0.isNumber }), default: 0] += 1
        }
        return owners
    }

    /// The value after `--port` on a process's command line.
    static func portArgument(of pid: Int32) -> String? {
        guard let cmd = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) else { return nil }
        let words = cmd.split(separator: "\0").map(String.init)
        guard let i = words.firstIndex(of: "--port"), i + 1 < words.count else { return nil }
        return words[i + 1]
    }

    /// Children of `pid` whose command line contains `word` (from /proc/*/stat and cmdline).
    static func children(of pid: Int32, containing word: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == pid,
                let cmd = try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8)
            else { return false }
            return cmd.replacingOccurrences(of: "\0", with: " ").contains(word)
        }
    }

    /// Starts the Python `websockets` server (Tests/IntegrationTests/py/load_echo_server.py); returns it and its port.
    static func startPythonServer(lifetime: Double = 90) throws -> (Process, Int) {
        let python = TestSupport.venvPython
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("no .build-venv: run scripts/setup --no-build")
        }
        let script = TestSupport.packageRoot.appendingPathComponent("Tests/IntegrationTests/py/load_echo_server.py")
            .path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, "--port", "0", "--lifetime", "\(lifetime)"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // The first line is "READY <port>"; bounded by a 15 s deadline.
        var buffer = Data()
        let deadline = Date().addingTimeInterval(15)
        let handle = out.fileHandleForReading
        while Date() < deadline && !buffer.contains(0x0a) && p.isRunning {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self)
        guard line.hasPrefix("READY "),
            let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            p.terminate()
            throw NSError(
                domain: "py", code: 1, userInfo: [NSLocalizedDescriptionKey: "python server did not start: \(line)"])
        }
        return (p, port)
    }

    /// Starts `wstune serve` on 127.0.0.1:`port` (behind `prefix`, e.g. prlimit) and waits up to 10 s until `ss`
    /// shows its listener. The caller stops it with `stop(_:)` in a `defer`.
    static func startReferenceServer(port: Int, arguments: [String] = [], prefix: [String] = []) throws -> Process {
        let server = Process()
        let command =
            prefix + [TestSupport.wstuneBinary, "serve", "--host", "127.0.0.1", "--port", "\(port)"] + arguments
        server.executableURL = URL(fileURLWithPath: command[0])
        server.arguments = Array(command.dropFirst())
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let out = try? TestSupport.run(["ss", "-Htln", "( sport = :\(port) )"]).stdout, !out.isEmpty { break }
            usleep(100_000)
        }
        return server
    }

    static func stop(_ p: Process) {
        ChildProcesses.stop(p)
    }
}
