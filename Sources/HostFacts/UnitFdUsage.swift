import Foundation

/// Open file descriptors and the nofile limit of each process of a systemd unit, for `count --prometheus --unit`
/// (the fd usage node_exporter's textfile collector should carry). The unit's processes are those its cgroup lists
/// (cgroup v2: sys/fs/cgroup/system.slice/UNIT/cgroup.procs); each process's fds are the entries of /proc/PID/fd
/// and its limit the soft "Max open files" of /proc/PID/limits.
public struct UnitFdUsage: Sendable, Equatable {
    public struct Process: Sendable, Equatable {
        public var pid: Int
        public var openFds: Int
        /// Soft RLIMIT_NOFILE; nil when unlimited or unreadable.
        public var softLimit: Int?
    }

    public var unit: String
    /// The cgroup.procs file read (absent: the unit is not running, or not under system.slice).
    public var cgroupProcs: String
    public var processes: [Process]

    /// `name` as systemd spells a service: "chat" → "chat.service".
    public static func unitName(_ name: String) -> String { name.contains(".") ? name : name + ".service" }

    /// Whether a unit name is safe to put in a path (no "/", no "..": one directory name).
    public static func isValidUnitName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".." && !name.contains("\0")
    }

    public static func read(root: HostRoot, unit rawName: String) throws -> UnitFdUsage {
        let unit = unitName(rawName)
        let procsFile = "sys/fs/cgroup/system.slice/\(unit)/cgroup.procs"
        let pids = try root.readText(procsFile).map(parsePids) ?? []
        var processes: [Process] = []
        for pid in pids {
            // A process may exit between the listing and these reads: skip it rather than fail.
            guard root.exists("proc/\(pid)") else { continue }
            let fds = root.listDirectory("proc/\(pid)/fd").count
            let limit = (try? ProcessLimits.readNofile(root: root, pid: String(pid))) ?? nil
            processes.append(Process(pid: pid, openFds: fds, softLimit: limit?.soft))
        }
        return UnitFdUsage(unit: unit, cgroupProcs: root.resolve(procsFile), processes: processes)
    }

    /// cgroup.procs: one PID per line.
    public static func parsePids(_ text: String) -> [Int] {
        text.split(whereSeparator: \.isNewline).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter {
            $0 > 0
        }
    }
}
