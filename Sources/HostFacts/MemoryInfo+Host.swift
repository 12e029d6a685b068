import Glibc

extension MemoryInfo {
    /// The page size of the host under `root`: the running kernel's on the live root. A copied tree carries no
    /// page size in any file, so it gets 4096, the size on x86-64 and on Debian's arm64 kernels, never this
    /// machine's.
    static func pageSize(root: HostRoot) -> Int {
        guard root.isLiveRoot else { return 4096 }
        let size = sysconf(Int32(_SC_PAGESIZE))
        return size > 0 ? size : 4096
    }

    /// CPUs of the host under `root`: "processor" rows of its /proc/cpuinfo; without the file, the running
    /// kernel's online CPUs on the live root and 1 in a tree (never this machine's count).
    static func cpuCount(root: HostRoot) throws -> Int {
        if let text = try root.readText("proc/cpuinfo") {
            let n = parseCPUCount(text)
            if n > 0 { return n }
        }
        guard root.isLiveRoot else { return 1 }
        return max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1)
    }

    /// Rows "processor : N" of /proc/cpuinfo (the x86 and arm64 layouts both start each CPU's block with one).
    public static func parseCPUCount(_ cpuinfo: String) -> Int {
        cpuinfo.split(separator: "\n").filter { $0.hasPrefix("processor") }.count
    }
}
