import Foundation

/// One line of the worker protocol between `check` and its `load --worker` processes: progress snapshots while
/// running, then the final report (with raw histograms). One JSON object per line on the worker's stdout.
public struct LoadWorkerLine: Codable, Sendable {
    public var progress: LoadProgress?
    public var report: LoadReport?

    public init(progress: LoadProgress) {
        self.progress = progress
        self.report = nil
    }

    public init(report: LoadReport) {
        self.progress = nil
        self.report = report
    }

    public func encoded() throws -> Data {
        var data = try JSONEncoder().encode(self)
        data.append(0x0a)
        return data
    }

    public static func decode(_ line: Data) -> LoadWorkerLine? {
        try? JSONDecoder().decode(LoadWorkerLine.self, from: line)
    }
}
