import Foundation
import WSTTestSupport
import XCTest

/// A `wstune serve` child process on a free loopback port, for the Serve* tests. `stop()` (call it in
/// `defer`) kills it if it is still running.
final class ServeProcess {
    let port: Int
    let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private var stdoutData = Data()
    private var stderrData = Data()
    private let lock = NSLock()

    /// Starts `wstune serve --host 127.0.0.1 --port <free> <arguments>` and waits until /healthz answers.
    /// `launcher` runs it through a command that execs it in place (`prlimit --nofile=64 --`), so `pid` stays its.
    init(_ arguments: [String], port: Int? = nil, launcher: [String] = []) throws {
        self.port = try port ?? ServeProcess.freePort()
        let command =
            launcher + [TestSupport.wstuneBinary, "serve", "--host", "127.0.0.1", "--port", String(self.port)]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + arguments
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            self?.lock.withLock { self?.stdoutData.append(d) }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            self?.lock.withLock { self?.stderrData.append(d) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            // Its own "listening" line, not just any answer on the port (another --reuse-port process may hold it).
            if stderr.contains("listening on"), (try? get("/healthz").status) == 200 { return }
            if !process.isRunning { break }
            usleep(50_000)
        }
        stop()
        throw NSError(
            domain: "ServeProcess", code: 1,
            userInfo: [NSLocalizedDescriptionKey: "wstune serve did not come up: \(stderr)"])
    }

    var stdout: String { lock.withLock { String(decoding: stdoutData, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: stderrData, as: UTF8.self) } }
    var pid: Int32 { process.processIdentifier }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the process to exit; returns its status, or nil if it is still running after `seconds`.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        stderrPipe.fileHandleForReading.readabilityHandler = nil
    }

    /// A free TCP port on 127.0.0.1 (bound to port 0, read back, released).
    static func freePort() throws -> Int {
        try Loopback.freePort()
    }

    /// Sends a raw HTTP/1.0 request and reads to EOF: (status code, headers+body text).
    func request(_ text: String, headersOnly: Bool = false) throws -> (status: Int, response: String) {
        try Loopback.request(port: port, text, headersOnly: headersOnly)
    }

    func get(_ path: String) throws -> (status: Int, body: String) {
        let r = try request("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        let body = r.response.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (r.status, body)
    }

    /// Status of a WebSocket upgrade request sent with raw HTTP (read up to the end of the response head).
    func upgradeStatus(path: String, extraHeaders: String = "") throws -> Int {
        let r = try request(
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extraHeaders)\r\n",
            headersOnly: true)
        return r.status
    }

    /// /metrics parsed: "name" or "name{labels}" → value.
    func metrics() throws -> [String: Double] {
        let r = try get("/metrics")
        XCTAssertEqual(r.status, 200)
        return ServeProcess.parsePrometheus(r.body)
    }

    static func parsePrometheus(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            out[String(line[..<space])] = value
        }
        return out
    }

    /// Polls /metrics until `predicate` holds or `seconds` pass; returns the last metrics read.
    func metrics(within seconds: Double, until predicate: ([String: Double]) -> Bool) throws -> [String: Double] {
        let deadline = Date().addingTimeInterval(seconds)
        var m = try metrics()
        while !predicate(m) && Date() < deadline {
            usleep(50_000)
            m = try metrics()
        }
        return m
    }
}

/// VmRSS of a process from /proc/PID/status, in bytes (nil once it has gone).
func residentBytes(pid: Int32) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return nil }
    return kb * 1024
}

/// The Python `websockets` peer (Tests/IntegrationTests/py/serve_client.py).
enum ServePeer {
    static var script: String {
        TestSupport.packageRoot.appendingPathComponent("Tests/IntegrationTests/py/serve_client.py").path
    }

    static func requirePython() throws {
        guard FileManager.default.isExecutableFile(atPath: TestSupport.venvPython) else {
            throw XCTSkip("no .build-venv (run scripts/setup --no-build)")
        }
    }

    /// Runs a scenario to completion and returns its JSON result (the last line it printed).
    static func run(_ scenario: String, port: Int, _ arguments: [String] = []) throws -> [String: Any] {
        let r = try TestSupport.run(
            [TestSupport.venvPython, script, scenario, String(port)] + arguments, timeoutSeconds: 40)
        guard r.status == 0, let last = r.stdout.split(separator: "\n").last,
            let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        else {
            throw NSError(
                domain: "ServePeer", code: Int(r.status),
                userInfo: [NSLocalizedDescriptionKey: "\(scenario) failed: \(r.stdout) \(r.stderr)"])
        }
        return object
    }

    /// Starts a scenario that prints a "ready" line first and keeps running; returns once it is ready.
    static func start(_ scenario: String, port: Int, _ arguments: [String] = []) throws -> RunningPeer {
        try RunningPeer([TestSupport.venvPython, script, scenario, String(port)] + arguments)
    }
}

/// A peer scenario running in the background (drain tests).
final class RunningPeer {
    let process = Process()
    private let out = Pipe()
    private var data = Data()
    private let lock = NSLock()

    init(_ command: [String]) throws {
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            self?.lock.withLock { self?.data.append(d) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !text.contains("\"ready\"") && process.isRunning { usleep(20_000) }
        guard text.contains("\"ready\"") else {
            stop()
            throw NSError(domain: "RunningPeer", code: 1, userInfo: [NSLocalizedDescriptionKey: "peer not ready"])
        }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Waits for the scenario to finish and returns its final JSON line.
    func result(seconds: Double) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        stop()
        usleep(50_000)
        guard let last = text.split(separator: "\n").last,
            let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        else { throw NSError(domain: "RunningPeer", code: 2, userInfo: [NSLocalizedDescriptionKey: text]) }
        return object
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        out.fileHandleForReading.readabilityHandler = nil
    }
}
