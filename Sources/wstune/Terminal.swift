import Foundation

/// Where output goes and how it looks: colour only on a TTY, never with NO_COLOR set or TERM=dumb.
struct Terminal {
    let isTTY: Bool
    let colorEnabled: Bool

    static let stdout = Terminal(fd: STDOUT_FILENO)
    static let stderr = Terminal(fd: STDERR_FILENO)

    init(fd: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(isTTY: isatty(fd) == 1, environment: environment)
    }

    init(isTTY: Bool, environment: [String: String]) {
        self.isTTY = isTTY
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        colorEnabled = isTTY && !noColor && environment["TERM"] != "dumb"
    }

    enum Style: String {
        case red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36"
        case bold = "1", dim = "2"
    }

    func paint(_ text: String, _ style: Style) -> String {
        colorEnabled ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

/// Prints one line to standard error (for the commands without a `CommandContext`: count, top, check, load, serve).
func printError(_ message: String) {
    CommandContext.live.printError(message)
}

/// Encodes a value as pretty, key-sorted JSON on standard output (commands without a context, as `printError`).
func printJSON<T: Encodable>(_ value: T) throws {
    try CommandContext.live.printJSON(value)
}
