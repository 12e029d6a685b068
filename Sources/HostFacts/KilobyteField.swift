/// The "Name:   N kB" lines of /proc/meminfo and /proc/PID/status, in bytes.
enum KilobyteField {
    /// The first line named `name` (without its colon) in bytes; nil when there is none (a trimmed fixture tree).
    /// A line that is not "Name: N kB", or whose bytes do not fit an Int, is malformed.
    static func bytes(_ name: String, in text: String, path: String) throws -> Int? {
        let prefix = name + ":"
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.hasPrefix(prefix) {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count == 3, f[2] == "kB", let kb = Int(f[1]), kb >= 0 else {
                throw HostFactsError.malformed(path: path, line: i + 1, reason: "expected '\(prefix) N kB'")
            }
            let (bytes, overflow) = kb.multipliedReportingOverflow(by: 1024)
            guard !overflow else {
                throw HostFactsError.malformed(path: path, line: i + 1, reason: "\(name) overflows")
            }
            return bytes
        }
        return nil
    }
}
