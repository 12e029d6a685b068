import Foundation
import HostFacts

/// Puts back what a journal entry changed: live values first (reverse order), then files (reverse order),
/// then the directories created for them. Paths are the entry's relative ones, resolved beneath the given roots;
/// a path that is absolute or leads outside is refused and named. Each step is independent: a step that fails
/// is named and the rest go on.
public enum Restorer {
    public struct Outcome: Sendable {
        public var restoredLive: [String] = []
        public var restoredFiles: [String] = []
        /// Live values someone changed after the apply (restored anyway).
        public var changedSinceApply: [String] = []
        public var problems: [String] = []
    }

    /// Restores `live` and `files` (subsets of an entry: what was done so far, or everything).
    public static func restore(
        live: [LiveChange], files: [FileChange], createdDirectories: [String],
        liveRoot: String, filesRoot: String
    ) -> Outcome {
        var out = Outcome()
        for change in live.reversed() {
            do {
                let path = try RootedPath(root: liveRoot, relative: change.path)
                let raw = try LiveValueWriter.readRaw(path)
                let now = SysctlValue(raw).text
                // Byte for byte (under --root a truncated file reads as the empty value): rewrite unless identical.
                if raw == change.previous + "\n" { continue }
                if !change.same(now, change.value) && !change.same(now, change.previous) && !raw.isEmpty {
                    out.changedSinceApply.append("\(change.key): was \(change.value) after apply, now \(now)")
                }
                try LiveValueWriter.write(change.previous, for: change, at: path)
                out.restoredLive.append(change.key)
            } catch {
                out.problems.append("\(change.key): \(error)")
            }
        }
        for f in files.reversed() {
            do {
                let path = try RootedPath(root: filesRoot, relative: f.path)
                let owner = f.previousOwner.flatMap { $0.count == 2 ? (uid: $0[0], gid: $0[1]) : nil }
                if let link = f.previousLinkTarget {
                    guard path.isLiveRoot else { throw AtomicFileWriter.linkRefused(path.absolute, filesRoot) }
                    let before = try AtomicFileWriter.state(of: path)
                    try AtomicFileWriter.writeLink(link, to: path, owner: owner)
                    if before?.linkTarget != link { out.restoredFiles.append(path.absolute) }
                } else if let previous = f.previous {
                    if try AtomicFileWriter.write(previous, to: path, mode: f.previousMode ?? 0o644, owner: owner) {
                        out.restoredFiles.append(path.absolute)
                    }
                } else if try AtomicFileWriter.remove(path) {
                    out.restoredFiles.append(path.absolute)
                }
            } catch {
                out.problems.append("\(filesRoot == "/" ? "/" : filesRoot + "/")\(f.path): \(error)")
            }
        }
        for d in createdDirectories.reversed() {
            do {
                try AtomicFileWriter.removeDirectoryIfEmpty(try RootedPath(root: filesRoot, relative: d))
            } catch {
                out.problems.append("\(d): \(error)")
            }
        }
        return out
    }

    /// Removes temporary files killed runs left next to the entry's files and in the journal directory.
    static func removeStaleTemporaries(files: [FileChange], filesRoot: String, journal: RootedPath) -> [String] {
        var dirs: [RootedPath] = [journal]
        for f in files {
            if let p = try? RootedPath(root: filesRoot, relative: f.path), let parent = p.parent, !dirs.contains(parent)
            {
                dirs.append(parent)
            }
        }
        return dirs.flatMap { (try? AtomicFileWriter.removeStaleTemporaries(in: $0)) ?? [] }
    }
}
