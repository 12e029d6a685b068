import Glibc

/// /proc/PID/stat: CPU time a process has used, all its threads together (utime + stime, in clock ticks).
public struct ProcessCPUTime: Sendable, Equatable {
    public var userTicks: Int
    public var systemTicks: Int

    public init(userTicks: Int, systemTicks: Int) {
        self.userTicks = userTicks
        self.systemTicks = systemTicks
    }

    public var ticks: Int { userTicks + systemTicks }

    /// Clock ticks per second (USER_HZ; 100 on Linux).
    public static let ticksPerSecond: Double = {
        let hz = sysconf(Int32(_SC_CLK_TCK))
        return hz > 0 ? Double(hz) : 100
    }()

    /// nil when the process is gone (also when it exits between the open and the read).
    public static func read(root: HostRoot, pid: Int32) throws -> ProcessCPUTime? {
        guard let text = try root.readProcessText(pid: pid, "stat") else { return nil }
        return try parse(text, path: root.resolve("proc/\(pid)/stat"))
    }

    /// "PID (comm) S ppid … utime stime …": fields after the last ")" (comm may hold spaces and parentheses);
    /// utime and stime are fields 14 and 15 of the line, the 12th and 13th after the state.
    public static func parse(_ text: String, path: String = "stat") throws -> ProcessCPUTime {
        guard let close = text.lastIndex(of: ")") else {
            throw HostFactsError.malformed(path: path, line: 1, reason: "no \")\" after the command name")
        }
        let f = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard f.count > 13, let user = Int(f[11]), let system = Int(f[12]), user >= 0, system >= 0 else {
            throw HostFactsError.malformed(path: path, line: 1, reason: "utime and stime: expected tick counts")
        }
        return ProcessCPUTime(userTicks: user, systemTicks: system)
    }
}
