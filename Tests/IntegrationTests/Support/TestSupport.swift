import Foundation
import WSTTestSupport
import XCTest

/// Result of running a command to completion.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum TestSupport {
    /// The package checkout.
    static let packageRoot: URL = FixturePaths.packageRoot

    static var fixtures: URL { FixturePaths.fixtures }

    /// The built `wstune`: $WSTUNE_BIN, else next to the test bundle (same build folder), else .build/debug.
    static var wstuneBinary: String {
        if let b = ProcessInfo.processInfo.environment["WSTUNE_BIN"], !b.isEmpty { return b }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = argv0.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("wstune").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/wstune").path
    }

    /// Python with the `websockets` package (scripts/setup makes it), the independent WebSocket peer.
    static var venvPython: String {
        packageRoot.appendingPathComponent(".build-venv/bin/python").path
    }

    /// Runs a program (PATH is searched) to completion with a time bound; kills it when the bound passes.
    @discardableResult
    static func run(
        _ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
        timeoutSeconds: Double = 120
    ) throws -> CommandResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        if let environment {
            var env = ProcessInfo.processInfo.environment
            env.merge(environment) { $1 }
            p.environment = env
        }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.standardInput = inPipe
        try p.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box(), errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outBox.data = outPipe.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { p.terminate(); usleep(200_000); if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        p.waitUntilExit()
        group.wait()
        return CommandResult(
            status: p.terminationStatus, stdout: String(decoding: outBox.data, as: UTF8.self),
            stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// Runs the built wstune with arguments.
    @discardableResult
    static func wstune(
        _ arguments: [String], environment: [String: String]? = nil,
        timeoutSeconds: Double = 120
    ) throws -> CommandResult {
        try run([wstuneBinary] + arguments, environment: environment, timeoutSeconds: timeoutSeconds)
    }

    static var isRoot: Bool { getuid() == 0 }

    /// A fresh temporary directory, removed by the caller's `defer`.
    static func temporaryDirectory(_ prefix: String = "wstune-test") throws -> URL {
        try TreeWriter.temporaryDirectory(prefix)
    }
}

/// A network namespace made by a test; `delete()` (call it in `defer`) removes it and everything inside.
final class NetNamespace {
    let name: String

    /// Creates `wst-<tag>-<pid>` with loopback up. Throws XCTSkip when namespaces cannot be made (not root).
    init(_ tag: String) throws {
        guard TestSupport.isRoot else { throw XCTSkip("network namespaces need root") }
        name = "wst-\(tag)-\(getpid())"
        _ = try? TestSupport.run(["ip", "netns", "delete", name])
        let r = try TestSupport.run(["ip", "netns", "add", name])
        guard r.status == 0 else { throw XCTSkip("ip netns add failed: \(r.stderr)") }
        try exec(["ip", "link", "set", "lo", "up"])
    }

    /// Runs a command inside the namespace.
    @discardableResult
    func exec(_ arguments: [String], timeoutSeconds: Double = 120) throws -> CommandResult {
        try TestSupport.run(["ip", "netns", "exec", name] + arguments, timeoutSeconds: timeoutSeconds)
    }

    /// Sets a per-namespace sysctl inside the namespace.
    func sysctl(_ key: String, _ value: String) throws {
        let r = try exec(["sysctl", "-qw", "\(key)=\(value)"])
        guard r.status == 0 else {
            throw NSError(domain: "sysctl", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr])
        }
    }

    /// Kills every process left in the namespace and deletes it.
    func delete() {
        if let pids = try? TestSupport.run(["ip", "netns", "pids", name]).stdout {
            for pid in pids.split(separator: "\n").compactMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }) {
                kill(pid, SIGKILL)
            }
        }
        _ = try? TestSupport.run(["ip", "netns", "delete", name])
    }
}
