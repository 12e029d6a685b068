import Foundation

/// Parent links of the processes under a root's /proc (field 4 of /proc/PID/stat).
public enum ProcessTree {
    /// The parent pid in a /proc/PID/stat text (after the command, which may hold spaces and parentheses).
    public static func parseParent(_ stat: String) -> Int32? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    public static func parent(of pid: Int32, root: HostRoot = HostRoot()) -> Int32? {
        (try? root.readProcessText(pid: pid, "stat")).flatMap { $0.flatMap(parseParent) }
    }

    /// The direct children of `pid` now (processes gone between the listing and the read are skipped).
    public static func children(of pid: Int32, root: HostRoot = HostRoot()) -> [Int32] {
        root.listDirectory("proc").compactMap { Int32($0) }.filter { parent(of: $0, root: root) == pid }
    }
}
