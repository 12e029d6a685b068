/// /proc/loadavg's fourth field, "runnable/total": how many tasks are runnable host-wide at the moment of the read
/// (the reader itself included), and how many exist.
public struct RunQueue: Sendable, Equatable {
    public var runnable: Int
    public var tasks: Int

    public init(runnable: Int, tasks: Int) {
        self.runnable = runnable
        self.tasks = tasks
    }

    public static func read(root: HostRoot) throws -> RunQueue? {
        let path = "proc/loadavg"
        guard let text = try root.readText(path) else { return nil }
        return try parse(text, path: root.resolve(path))
    }

    /// "0.52 0.58 0.59 3/467 12345": three load averages, runnable/total, the last pid.
    public static func parse(_ text: String, path: String = "loadavg") throws -> RunQueue {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 5 else {
            throw HostFactsError.malformed(path: path, line: 1, reason: "expected 5 fields, got \(fields.count)")
        }
        let pair = fields[3].split(separator: "/")
        guard pair.count == 2, let runnable = Int(pair[0]), let tasks = Int(pair[1]), runnable >= 0, tasks >= 0 else {
            throw HostFactsError.malformed(path: path, line: 1, reason: "field 4 is not runnable/total: '\(fields[3])'")
        }
        return RunQueue(runnable: runnable, tasks: tasks)
    }
}
