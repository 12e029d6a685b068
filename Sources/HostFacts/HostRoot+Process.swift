import Glibc

extension HostRoot {
    /// The text of `/proc/PID/<file>` under the root; nil when the process is gone, also when it exits between the
    /// open and the read (the kernel answers ESRCH then, not ENOENT).
    public func readProcessText(pid: Int32, _ file: String) throws -> String? {
        do {
            return try readText("proc/\(pid)/\(file)")
        } catch HostFactsError.unreadable(_, let e) where e == ESRCH {
            return nil
        }
    }
}
