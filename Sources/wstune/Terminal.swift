import Foundation

/// Where output goes and how it looks: colour only on a TTY, never with NO_COLOR set or TERM=dumb.
struct Terminal {
    let isTTY: Bool
    let colorEnabled: Bool

    static let stdout = Terminal(fd: STDOUT_FILENO)
    static let stderr = Terminal(fd: STDERR_FILENO)

    init(fd: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) {
        isTTY = isatty(fd) == 1
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

/// Prints one line to standard error.
func printError(_ message: String) {
    // fputs, not FileHandle.write: that traps when stderr cannot be written (a full disk, a closed pipe).
    fputs(message + "\n", stderr)
}

/// Encodes a value as pretty, key-sorted JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
