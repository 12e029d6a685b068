import Foundation
import HostFacts

/// Puts back what a journal entry changed: live values first (reverse order), then files (reverse order),
/// then the directories created for them. Each step is independent: a step that fails is named and the rest go on.
public enum Restorer {
    public struct Outcome: Sendable {
        public var restoredLive: [String] = []
        public var restoredFiles: [String] = []
        /// Live values someone changed after the apply (restored anyway).
        public var changedSinceApply: [String] = []
        public var problems: [String] = []
    }

    /// Restores `live` and `files` (subsets of an entry: what was done so far, or everything).
    public static func restore(live: [LiveChange], files: [FileChange], createdDirectories: [String]) -> Outcome {
        var out = Outcome()
        for change in live.reversed() {
            do {
                let now = try LiveValueWriter.readBack(change.path)
                if change.same(now, change.previous) { continue }
                if !change.same(now, change.value) {
                    out.changedSinceApply.append("\(change.key): was \(change.value) after apply, now \(now)")
                }
                try LiveValueWriter.write(change.previous, for: change)
                out.restoredLive.append(change.key)
            } catch {
                out.problems.append("\(change.key): \(error)")
            }
        }
        for f in files.reversed() {
            do {
                if let previous = f.previous {
                    let owner = f.previousOwner.flatMap { $0.count == 2 ? (uid: $0[0], gid: $0[1]) : nil }
                    if try AtomicFileWriter.write(previous, to: f.path, mode: f.previousMode ?? 0o644, owner: owner) {
                        out.restoredFiles.append(f.path)
                    }
                } else if try AtomicFileWriter.remove(f.path) {
                    out.restoredFiles.append(f.path)
                }
            } catch {
                out.problems.append("\(f.path): \(error)")
            }
        }
        for d in createdDirectories.reversed() { AtomicFileWriter.removeDirectoryIfEmpty(d) }
        return out
    }
}
