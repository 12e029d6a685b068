import Foundation
import WSTTestSupport
import XCTest

/// Helpers for the render and lint integration tests: free loopback ports, background processes that are
/// always stopped, and the real validators.
enum ProxyTestSupport {
    /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it).
    static func freePort() throws -> Int {
        try Loopback.freePort()
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Waits (bounded) until the port accepts connections.
    static func waitListening(_ port: Int, seconds: Double = 10) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if isListening(port) { return }
            usleep(50_000)
        }
        throw NSError(
            domain: "wait", code: 1,
            userInfo: [NSLocalizedDescriptionKey: "nothing listens on 127.0.0.1:\(port) after \(seconds)s"])
    }

    /// Starts a program in the background with output to `log`; stop it with `stop(_:)` in a defer.
    static func start(_ arguments: [String], log: URL) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let h = try FileHandle(forWritingTo: log)
        p.standardOutput = h
        p.standardError = h
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// SIGTERM, a bounded wait, then SIGKILL.
    static func stop(_ p: Process) {
        ChildProcesses.stop(p)
    }

    static func requireTool(_ tool: String) throws {
        let r = try TestSupport.run(["sh", "-c", "command -v \(tool) || test -x /usr/sbin/\(tool)"])
        if r.status != 0 { throw XCTSkip("\(tool) is not installed (scripts/setup installs it)") }
    }

    static func requireVenv() throws {
        guard FileManager.default.isExecutableFile(atPath: TestSupport.venvPython) else {
            throw XCTSkip("no .build-venv: run scripts/setup --no-build")
        }
    }

    static var pyDirectory: String { TestSupport.packageRoot.appendingPathComponent("Tests/IntegrationTests/py").path }

    /// `nginx -t` as the oracle: exit 0 and nothing on stderr with -q.
    static func nginxTest(_ file: String, prefix: String) throws -> CommandResult {
        try TestSupport.run(["nginx", "-t", "-q", "-p", prefix + "/", "-e", "stderr", "-c", file], timeoutSeconds: 30)
    }

    /// `haproxy -c` as the oracle, warnings fatal.
    static func haproxyCheck(_ file: String) throws -> CommandResult {
        try TestSupport.run(["haproxy", "-dW", "-dr", "-c", "-f", file], timeoutSeconds: 30)
    }

    /// A self-signed certificate and key for localhost (openssl), written as cert.pem, key.pem and combined.pem.
    static func makeCertificate(in dir: URL) throws -> (cert: String, key: String, combined: String) {
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let r = try TestSupport.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                "-days", "1", "-keyout", key, "-out", cert,
            ], timeoutSeconds: 60)
        guard r.status == 0 else { throw XCTSkip("openssl could not make a certificate: \(r.stderr)") }
        let combined = dir.appendingPathComponent("combined.pem").path
        let text = try String(contentsOfFile: cert, encoding: .utf8) + String(contentsOfFile: key, encoding: .utf8)
        try text.write(toFile: combined, atomically: true, encoding: .utf8)
        return (cert, key, combined)
    }

    /// A profile file with a small target and a short ping interval.
    static func writeProfile(in dir: URL, connections: Int = 100, ping: Int = 1, reconnect: Int = 1) throws -> String {
        let path = dir.appendingPathComponent("test-profile.yaml").path
        try """
        name: render-test
        connections: \(connections)
        ping_interval_seconds: \(ping)
        reconnect_window_seconds: \(reconnect)

        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
