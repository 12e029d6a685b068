import Foundation
import Tuning

/// `render --output`: Tuning's `AtomicFileWriter` (the one atomic writer: temp file, fsync, rename, fsync of the
/// directory) with render's rules: the directory must exist, and a file it replaces keeps its mode and owner.
public enum AtomicFile {
    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        do {
            let existing = try AtomicFileWriter.state(of: path)
            // Only root may give a file away: keep the owner where we can, as the file's owner would.
            let owner = existing.flatMap { geteuid() == 0 && $0.linkTarget == nil ? (uid: $0.uid, gid: $0.gid) : nil }
            let keptMode = existing.flatMap { $0.linkTarget == nil ? $0.mode : nil } ?? UInt32(mode)
            try AtomicFileWriter.write(
                Data(text.utf8), to: path, mode: keptMode, owner: owner, createDirectories: false)
        } catch let e as WriterError {
            throw RenderError.writeFailed(path: path, reason: "\(e)")
        }
    }
}
