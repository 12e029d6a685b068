import Foundation

/// Writes files of small host trees under a temporary root, making the parent directories.
public enum TreeWriter {
    /// `text` at `relative` under `root`, with `mode` when given (a key the test wants unreadable or read-only).
    public static func write(_ relative: String, _ text: String, under root: URL, mode: Int? = nil) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        if let mode { chmod(url.path, mode_t(mode)) }
    }

    /// A fresh directory `<tmp>/<prefix>-<random>`; the caller removes it.
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
