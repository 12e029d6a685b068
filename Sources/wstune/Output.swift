import Foundation

/// The one way out for everything the CLI writes. A write that fails (a full disk, a closed descriptor) is
/// remembered and the command ends with exit 2 and one line saying so, instead of a trap (FileHandle.write) or a
/// silent exit 0 (buffered stdio). EPIPE (`| head`) ends quietly; with SIGPIPE at its default the kernel ends the
/// process first (141), which is fine too.
enum Output {
    private static let lock = NSLock()
    /// Standard descriptors that were closed when wstune started (`2>&-`); /dev/null holds their place so a file
    /// opened later cannot become "standard error", and any write to them counts as failed.
    private nonisolated(unsafe) static var closedAtStart: Set<Int32> = []
    private nonisolated(unsafe) static var failure: (fd: Int32, errno: Int32)?

    /// Call first thing in main.
    static func prepareStandardStreams() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            closedAtStart.insert(fd)
            let n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if n >= 0 && n != fd {
                dup2(n, fd)
                close(n)
            }
        }
    }

    /// True when the process started with standard input closed (`<&-`): fd 0 is /dev/null now, and reading it
    /// would read nothing, so readers report it as unreadable instead.
    static var standardInputWasClosed: Bool { closedAtStart.contains(STDIN_FILENO) }

    /// Text to standard output (buffered; checked again when the command ends).
    static func out(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if closedAtStart.contains(STDOUT_FILENO) { return record(STDOUT_FILENO, EBADF) }
        if fputs(text, stdout) == EOF { record(STDOUT_FILENO, errno) }
    }

    /// Bytes to standard output, flushed now (JSON lines a parent process reads as they come, screen frames).
    static func out(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        if closedAtStart.contains(STDOUT_FILENO) { return record(STDOUT_FILENO, EBADF) }
        let written = data.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stdout) }
        if written != data.count || fflush(stdout) != 0 { record(STDOUT_FILENO, errno) }
    }

    /// Text to standard error (unbuffered).
    static func err(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if closedAtStart.contains(STDERR_FILENO) { return record(STDERR_FILENO, EBADF) }
        if fputs(text, stderr) == EOF { record(STDERR_FILENO, errno) }
    }

    private static func record(_ fd: Int32, _ e: Int32) {
        if failure == nil { failure = (fd, e) }
    }

    /// Flushes, checks, and exits: a failed write turns a 0 or 1 into 2 (a worse status is kept).
    static func finish(_ status: Int32) -> Never {
        lock.lock()
        if fflush(stdout) != 0 || ferror(stdout) != 0 {
            record(STDOUT_FILENO, errno == 0 ? EIO : errno)
        }
        var code = status
        if let f = failure {
            let stream = f.fd == STDOUT_FILENO ? "standard output" : "standard error"
            if f.errno != EPIPE && f.fd != STDERR_FILENO && !closedAtStart.contains(STDERR_FILENO) {
                fputs("wstune: cannot write to \(stream): \(String(cString: strerror(f.errno)))\n", stderr)
            }
            if code < 2 { code = 2 }
        }
        lock.unlock()
        exit(code)
    }
}

/// Every `print` in this module resolves here, not to the standard library's (a module's own declaration shadows
/// an imported one), so each subcommand's output goes through `Output` without each file having to know.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Output.out(items.map { "\($0)" }.joined(separator: separator) + terminator)
}
