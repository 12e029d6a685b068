/// fs.file-nr: file handles allocated system-wide and the ceiling (fs.file-max), as the kernel counts them now.
public struct FileHandles: Sendable, Equatable, Codable {
    public var allocated: Int
    public var max: Int

    public init(allocated: Int, max: Int) {
        self.allocated = allocated
        self.max = max
    }

    /// Handles still free under fs.file-max (never negative).
    public var free: Int { Swift.max(max - allocated, 0) }

    /// nil when the file is absent (a fixture tree without it).
    public static func read(root: HostRoot) throws -> FileHandles? {
        let path = "proc/sys/fs/file-nr"
        guard let text = try root.readText(path) else { return nil }
        return try parse(text, path: root.resolve(path))
    }

    /// "allocated  unused  max": three integers (the middle one is always 0 since 2.6).
    public static func parse(_ text: String, path: String = "file-nr") throws -> FileHandles {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        let values = fields.compactMap { Int($0) }
        guard fields.count == 3, values.count == 3 else {
            throw HostFactsError.malformed(path: path, line: 1, reason: "expected 3 integers, got '\(text.prefix(80))'")
        }
        return FileHandles(allocated: values[0], max: values[2])
    }
}
