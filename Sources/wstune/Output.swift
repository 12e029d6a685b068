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
    /// The first failed write per descriptor (its errno).
    private nonisolated(unsafe) static var failures: [Int32: Int32] = [:]

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
        if failures[fd] == nil { failures[fd] = e }
    }

    /// Ends the process (main, after `CommandContext.finish` flushed and checked the output).
    static func exitProcess(_ status: Int32) -> Never { exit(status) }

    /// Flushes standard output (standard error is unbuffered) and returns the errno of the first write to `fd`
    /// that failed, nil when all succeeded. `CommandContext.finish` turns it into the exit status.
    static func flush(_ fd: Int32) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if fd == STDOUT_FILENO && !closedAtStart.contains(fd) && (fflush(stdout) != 0 || ferror(stdout) != 0) {
            record(fd, errno == 0 ? EIO : errno)
        }
        return failures[fd]
    }
}

/// Every `print` in this module resolves here, not to the standard library's (a module's own declaration shadows
/// an imported one), so the subcommands not yet run in a `CommandContext` (count, top, check, load, serve) write
/// through `Output` too. Commands with a context use `context.print`.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Output.out(items.map { "\($0)" }.joined(separator: separator) + terminator)
}
