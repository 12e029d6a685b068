import Foundation

/// Writes a file so readers see the old or the new content, never a half: a temp file in the same
/// directory, fsync, rename over the target, fsync of the directory. A file it replaces keeps its mode and owner.
public enum AtomicFile {
    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        var existing = stat()
        let replacing = stat(path, &existing) == 0
        let dir = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let tmp = "\(dir)/.\((path as NSString).lastPathComponent).wstune-\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, replacing ? existing.st_mode & 0o7777 : mode)
        guard fd >= 0 else { throw RenderError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        if replacing {
            fchmod(fd, existing.st_mode & 0o7777)  // open() applied the umask
            _ = fchown(fd, existing.st_uid, existing.st_gid)  // best effort: only root may give a file away
        }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw RenderError.writeFailed(path: path, reason: "write: \(reason)")
            }
            written += n
        }
        if fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RenderError.writeFailed(path: path, reason: "fsync: \(reason)")
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            throw RenderError.writeFailed(path: path, reason: "rename: \(String(cString: strerror(errno)))")
        }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
