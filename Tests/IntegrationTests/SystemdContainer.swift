import Foundation
import XCTest

/// A Debian 12 systemd booted as PID 1 in systemd-nspawn: the oracle for everything wstune reads from or tells
/// systemd. The root filesystem is built once per test process with mmdebstrap (minbase + systemd, dbus, procps,
/// the two C libraries wstune links) under a temporary directory and deleted when the test bundle finishes;
/// `$WSTUNE_SYSTEMD_ROOTFS` names a prepared one instead (kept). Each test class boots its own container
/// (`--private-network`, so net.* sysctls are its own; `--register=no --keep-unit`: this host has no system
/// bus) and stops it in tearDown, by the nspawn pid it started, also on failure.
/// systemd is not PID 1 on the test host: never run systemctl there, only through `run` (nsenter into the container).
final class SystemdContainer {
    let name: String
    /// The nspawn process this object started, and the container's PID 1 as the host sees it.
    private let nspawn: Process
    let leader: pid_t
    private let logFile: URL
    /// The container's `/` as a host path (through the leader's /proc/PID/root).
    var root: String { "/proc/\(leader)/root" }
    /// Where the wstune binary is inside the container.
    static let binaryPath = "/usr/local/bin/wstune"

    /// Boots a container, or throws XCTSkip where nspawn cannot run at all (not root, tools missing). Once the
    /// tools are there (scripts/setup installs them, as in CI), failing to build or boot is a test failure.
    static func boot(_ tag: String) throws -> SystemdContainer {
        guard TestSupport.isRoot else { throw XCTSkip("systemd-nspawn needs root: the real-systemd tests did not run") }
        for tool in ["/usr/bin/systemd-nspawn", "/usr/bin/mmdebstrap", "/usr/bin/nsenter", "/usr/bin/setpriv"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip(
                "\(tool) missing (packages systemd-container, mmdebstrap, util-linux; scripts/setup installs them): the real-systemd tests did not run"
            )
        }
        let rootfs = try RootFS.shared()
        return try SystemdContainer(tag: tag, rootfs: rootfs)
    }

    private init(tag: String, rootfs: String) throws {
        name = "wst-15-\(tag)-\(getpid())"
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).nspawn.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        var args = [
            "-q", "-D", rootfs, "-b", "--register=no", "--keep-unit", "-M", name, "--private-network",
            "--console=passive",
        ]
        args += try Self.bindings().map { "--bind-ro=\($0.host):\($0.container)" }
        let p = Process()
        // setpriv execs nspawn with a parent-death signal: should the test process crash, nspawn gets SIGTERM and
        // powers the container off instead of outliving the run.
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--pdeathsig", "TERM", "--", "/usr/bin/systemd-nspawn"] + args
        let log = try FileHandle(forWritingTo: logFile)
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        try p.run()
        nspawn = p
        // The container's PID 1 is nspawn's child; wait for it, then for systemd to finish starting up.
        var found: pid_t?
        let deadline = Date().addingTimeInterval(30)
        while found == nil && p.isRunning && Date() < deadline {
            let children =
                (try? String(
                    contentsOfFile: "/proc/\(p.processIdentifier)/task/\(p.processIdentifier)/children", encoding: .utf8
                )) ?? ""
            found = children.split(separator: " ").compactMap { pid_t($0) }.first { Self.isNamespaceInit($0) }
            if found == nil { usleep(50_000) }
        }
        guard let found else {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            Self.terminate(p, leader: nil)
            throw ContainerError(
                "systemd-nspawn did not start a container (\(p.isRunning ? "timeout" : "exited \(p.terminationStatus)")): \(log)"
            )
        }
        leader = found
        // Until PID 1 has exec'd systemd and its bus is up, systemctl answers "offline": retry within a bound.
        let bootDeadline = Date().addingTimeInterval(90)
        var state = ""
        while Date() < bootDeadline && p.isRunning {
            let r = try run(["systemctl", "is-system-running", "--wait"], timeoutSeconds: 90)
            state = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + " " + r.stderr
            if state.hasPrefix("running") || state.hasPrefix("degraded") { return }
            usleep(200_000)
        }
        stop()
        throw ContainerError("container systemd did not reach multi-user: \(state)")
    }

    /// Runs a command inside the container (all its namespaces: mount, pid, net, uts, ipc).
    @discardableResult
    func run(_ arguments: [String], input: String? = nil, timeoutSeconds: Double = 60) throws -> CommandResult {
        try TestSupport.run(
            ["nsenter", "-t", String(leader), "-a"] + arguments, input: input, timeoutSeconds: timeoutSeconds)
    }

    /// `systemctl show -p P… UNIT` inside the container as a dictionary.
    func show(_ unit: String, _ properties: [String]) throws -> [String: String] {
        let r = try run(["systemctl", "show"] + properties.flatMap { ["-p", $0] } + ["--", unit])
        guard r.status == 0 else { throw ContainerError("systemctl show \(unit): \(r.stderr)") }
        var out: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }

    /// Runs systemctl inside the container and requires success.
    func systemctl(_ arguments: String...) throws {
        let r = try run(["systemctl"] + arguments, timeoutSeconds: 60)
        guard r.status == 0 else { throw ContainerError("systemctl \(arguments.joined(separator: " ")): \(r.stderr)") }
    }

    /// Writes a file inside the container (parents created).
    func write(_ path: String, _ text: String) throws {
        let full = root + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }

    /// Removes files or directories inside the container (absent ones are fine).
    func remove(_ paths: [String]) {
        for p in paths { try? FileManager.default.removeItem(atPath: root + p) }
    }

    /// The nofile limits of a process inside the container: the "Max open files" row of its /proc/PID/limits.
    func nofile(ofMainPIDOf unit: String) throws -> (soft: String, hard: String) {
        let pid = try show(unit, ["MainPID"])["MainPID"] ?? "0"
        guard pid != "0" else { throw ContainerError("\(unit) has no MainPID") }
        let r = try run(["cat", "/proc/\(pid)/limits"])
        guard let row = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) else {
            throw ContainerError("no Max open files in /proc/\(pid)/limits: \(r.stdout)")
        }
        let f = row.dropFirst("Max open files".count).split(separator: " ")
        return (String(f[0]), String(f[1]))
    }

    /// Stops the container: SIGTERM to nspawn (it powers the container off), then SIGKILL to the container's
    /// PID 1 and nspawn if they outlive 20 s. Waits for nspawn to exit. Safe to call twice.
    func stop() {
        Self.terminate(nspawn, leader: leader)
        try? FileManager.default.removeItem(at: logFile)
    }

    private static func terminate(_ p: Process, leader: pid_t?) {
        guard p.isRunning else { return }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning {
            if let leader { kill(leader, SIGKILL) }
            usleep(200_000)
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
        p.waitUntilExit()
    }

    /// A pid whose innermost pid namespace number is 1 (`NSpid: <host> 1`).
    private static func isNamespaceInit(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") })
        else { return false }
        let ids = line.dropFirst("NSpid:".count).split(whereSeparator: { $0 == " " || $0 == "\t" })
        return ids.count >= 2 && ids.last == "1"
    }

    /// The wstune binary, its data directories and the shared libraries it needs that the rootfs lacks (the
    /// debug build links the toolchain's Swift runtime), each bound read-only.
    private static func bindings() throws -> [(host: String, container: String)] {
        let binary = URL(fileURLWithPath: TestSupport.wstuneBinary).resolvingSymlinksInPath().path
        var out: [(String, String)] = [(binary, binaryPath)]
        for kind in ["profiles", "templates"] {
            out.append((TestSupport.packageRoot.appendingPathComponent(kind).path, "/usr/local/share/wstune/\(kind)"))
        }
        let ldd = try TestSupport.run(["ldd", binary])
        var dirs = Set<String>()
        for line in ldd.stdout.split(separator: "\n") {
            guard let arrow = line.range(of: "=> /") else { continue }
            let path = String(line[line.index(before: arrow.upperBound)...].split(separator: " ").first ?? "")
            if path.hasPrefix("/lib/") || path.hasPrefix("/usr/lib/") {
                if !FileManager.default.fileExists(atPath: try RootFS.shared() + path) { out.append((path, path)) }
            } else {
                dirs.insert((path as NSString).deletingLastPathComponent)
            }
        }
        out += dirs.sorted().map { ($0, $0) }
        return out
    }

    struct ContainerError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

/// The container's root filesystem: built once per test process, deleted when the bundle finishes.
enum RootFS {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: Result<String, Error>?

    static func shared() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let built { return try built.get() }
        let r = Result { try build() }
        built = r
        return try r.get()
    }

    private static func build() throws -> String {
        if let given = ProcessInfo.processInfo.environment["WSTUNE_SYSTEMD_ROOTFS"], !given.isEmpty { return given }
        let dir = try TestSupport.temporaryDirectory("wst-15-rootfs")
        let target = dir.appendingPathComponent("root").path
        Cleanup.shared.register(dir)
        let r = try TestSupport.run(
            [
                "mmdebstrap", "--quiet", "--variant=minbase",
                "--include=systemd,systemd-sysv,dbus,procps,libmnl0,libnetfilter-conntrack3,libbpf1,zlib1g",
                "bookworm", target,
            ], timeoutSeconds: 900)
        guard r.status == 0 else {
            throw SystemdContainer.ContainerError("mmdebstrap failed (\(r.status)): \(r.stderr.suffix(2000))")
        }
        return target
    }

    /// Deletes the rootfs when the test bundle finishes (containers are stopped by then: each class stops its own).
    final class Cleanup: NSObject, XCTestObservation, @unchecked Sendable {
        static let shared = Cleanup()
        private var dirs: [URL] = []

        func register(_ dir: URL) {
            if dirs.isEmpty { XCTestObservationCenter.shared.addTestObserver(self) }
            dirs.append(dir)
        }

        func testBundleDidFinish(_ testBundle: Bundle) {
            // --one-file-system: never descend into a mount (a bind of the host's files) should one remain.
            for d in dirs { _ = try? TestSupport.run(["rm", "-rf", "--one-file-system", d.path]) }
            dirs = []
        }
    }
}

/// A test class with its own booted container: booted in the class's setUp, stopped in its tearDown (also when a
/// test fails), and handed to each test as `c`. A failed boot fails every test of the class with its error.
class SystemdContainerTestCase: XCTestCase {
    /// Names the container (`wst-15-<tag>-<pid>`); each subclass has its own.
    class var containerTag: String { "base" }
    nonisolated(unsafe) private static var booted: [String: Result<SystemdContainer, Error>] = [:]
    var c: SystemdContainer!

    override class func setUp() {
        booted[containerTag] = Result { try SystemdContainer.boot(containerTag) }
    }

    override class func tearDown() {
        if case .success(let c) = booted[containerTag] { c.stop() }
        booted[containerTag] = nil
    }

    override func setUpWithError() throws {
        c = try XCTUnwrap(Self.booted[Self.containerTag]).get()
    }
}
