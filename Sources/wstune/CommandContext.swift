import Foundation
import HostFacts

/// Everything a command takes from the process it runs in: where `/` is, its two output streams, standard input,
/// the clock, the environment, argv, the CPU count and the effective user. `main` runs commands in `.live`; tests
/// run the same commands in-process with fixture roots, captured output and a fixed clock (Tests/CLITests).
struct CommandContext: Sendable {
    /// What `/` means when no --root is given ("/" live).
    var root: HostRoot
    var stdout: any OutputSink
    var stderr: any OutputSink
    var input: CommandInput
    var now: @Sendable () -> Date
    var environment: [String: String]
    /// argv[0] as started (`undoProgram`), and the arguments after it (the `sudo wstune …` hint).
    var argv0: String
    var arguments: [String]
    /// The CPUs the proxy configs are sized for (nginx worker_processes, HAProxy nbthread).
    var cpuCount: Int
    var isRoot: Bool

    /// This process: the standard streams through `Output`, the real clock, environment and user.
    static let live = CommandContext(
        root: HostRoot("/"), stdout: StandardStream.output, stderr: StandardStream.error, input: .live,
        now: { Date() }, environment: ProcessInfo.processInfo.environment,
        argv0: CommandLine.arguments.first ?? "wstune", arguments: Array(CommandLine.arguments.dropFirst()),
        cpuCount: ProcessInfo.processInfo.activeProcessorCount, isRoot: geteuid() == 0)

    var stdoutTerminal: Terminal { Terminal(isTTY: stdout.isTerminal, environment: environment) }
    var stderrTerminal: Terminal { Terminal(isTTY: stderr.isTerminal, environment: environment) }

    /// Like the standard library's `print`, to this context's standard output.
    func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
        stdout.write(items.map { "\($0)" }.joined(separator: separator) + terminator)
    }

    /// One line to standard error.
    func printError(_ message: String) {
        stderr.write(message + "\n")
    }

    /// A value as pretty, key-sorted JSON on standard output (flushed: a parent may read it as it comes).
    func printJSON<T: Encodable>(_ value: T) throws {
        stdout.write(try Self.json(value) + Data("\n".utf8))
    }

    /// A value as one compact JSON object on one line (JSON Lines), flushed at once: the --json streams of serve,
    /// top and count --live.
    func printJSONLine<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        stdout.write(try encoder.encode(value) + Data("\n".utf8))
    }

    static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// The command's exit status once its output is flushed: a failed write turns a 0 or 1 into 2 (a worse status
    /// is kept), with one line on standard error unless that is what failed or the failure was EPIPE (`| head`).
    func finish(_ status: Int32) -> Int32 { Self.finish(status, stdout: stdout, stderr: stderr) }

    /// The same for two streams without a context (`wstune --version`'s fast path, WSTune.printVersion).
    static func finish(_ status: Int32, stdout: any OutputSink, stderr: any OutputSink) -> Int32 {
        let outFailure = stdout.finish()
        let errFailure = stderr.finish()
        guard outFailure != nil || errFailure != nil else { return status }
        if let e = outFailure, e != EPIPE, errFailure == nil {
            stderr.write("wstune: cannot write to standard output: \(String(cString: strerror(e)))\n")
            _ = stderr.finish()
        }
        return max(status, 2)
    }
}

/// One output stream of a command. A write that fails is remembered (the first errno), never trapped on.
protocol OutputSink: AnyObject, Sendable {
    /// Text, possibly buffered (checked again by `finish`).
    func write(_ text: String)
    /// Bytes, flushed now (JSON lines a parent reads as they come, screen frames).
    func write(_ data: Data)
    /// Flushes; the errno of the first write that failed, nil when all succeeded.
    func finish() -> Int32?
    var isTerminal: Bool { get }
}

/// Standard output or standard error of this process, through `Output` (which the commands not converted to a
/// context yet write through too, so both share one failure record).
final class StandardStream: OutputSink {
    let fd: Int32
    private init(fd: Int32) { self.fd = fd }

    static let output = StandardStream(fd: STDOUT_FILENO)
    static let error = StandardStream(fd: STDERR_FILENO)

    func write(_ text: String) { fd == STDOUT_FILENO ? Output.out(text) : Output.err(text) }
    func write(_ data: Data) {
        fd == STDOUT_FILENO ? Output.out(data) : Output.err(String(decoding: data, as: UTF8.self))
    }
    func finish() -> Int32? { Output.flush(fd) }
    var isTerminal: Bool { isatty(fd) == 1 }
}

/// Output kept in memory (tests). `failing` makes every write fail with that errno, as a full disk or a closed
/// pipe would.
final class CapturedOutput: OutputSink, @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    private var failure: Int32?
    let failing: Int32?
    let isTerminal: Bool

    init(failing: Int32? = nil, isTerminal: Bool = false) {
        self.failing = failing
        self.isTerminal = isTerminal
    }

    func write(_ text: String) { write(Data(text.utf8)) }

    func write(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        if let e = failing {
            if failure == nil { failure = e }
            return
        }
        bytes += data
    }

    func finish() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return bytes
    }

    var text: String { String(decoding: data, as: UTF8.self) }
}

/// Standard input as the commands use it: apply's confirmation and `lint nginx -`.
struct CommandInput: Sendable {
    var isTerminal: Bool
    /// One line, nil at end of input.
    var readLine: @Sendable () -> String?
    /// Up to `atMost` bytes (it may return more), all there are when fewer.
    var readAll: @Sendable (_ atMost: Int) throws -> [UInt8]

    static var live: CommandInput {
        CommandInput(
            isTerminal: isatty(STDIN_FILENO) == 1, readLine: { Swift.readLine() },
            readAll: { try LintCommand.readStandardInput(atMost: $0) })
    }

    /// Input given as text (tests): not a terminal.
    static func text(_ text: String) -> CommandInput {
        let lines = LineBox(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        return CommandInput(isTerminal: false, readLine: { lines.next() }, readAll: { _ in Array(text.utf8) })
    }

    private final class LineBox: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String]
        init(_ lines: [String]) {
            self.lines = lines.last == "" ? Array(lines.dropLast()) : lines
        }
        func next() -> String? {
            lock.lock()
            defer { lock.unlock() }
            return lines.isEmpty ? nil : lines.removeFirst()
        }
    }
}

/// A command that runs in a context; `WSTune.run(_:in:)` gives it one, `main` the live one.
protocol ContextCommand {
    mutating func run(in context: CommandContext) throws
}
