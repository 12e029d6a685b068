import Foundation

/// This process's resident memory and open descriptors, for /metrics (the process_* names Prometheus
/// client libraries use). Reads /proc/self, which is this process and not host state, so no HostRoot.
enum ProcessStats {
    /// Resident set size from /proc/self/statm (second field, in pages).
    static func residentMemoryBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        return parseStatmResidentBytes(text, pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
    }

    static func parseStatmResidentBytes(_ text: String, pageSize: Int) -> Int? {
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * pageSize
    }

    /// Entries in /proc/self/fd, less the one the listing itself opens.
    static func openFileDescriptors() -> Int? {
        guard let dir = opendir("/proc/self/fd") else { return nil }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in raw.first.map { $0 } ?? 0 }
            if name != UInt8(ascii: ".") { n += 1 }
        }
        return max(0, n - 1)
    }
}
