/// `nginx -T` output split back into its files: nginx prints "# configuration file PATH:" before each file's
/// text. Split by bytes on LF, so a CR LF dump (or a CR LF file inside it) splits like an LF one.
public struct NginxDump: Sendable, Equatable {
    /// File path → text, and the paths in the order nginx printed them (the first is the main file).
    public var files: [String: String]
    public var order: [String]

    private static let marker = Array("# configuration file ".utf8)

    /// The file path when `line` (without its LF) is a marker line.
    private static func markedPath(_ line: ArraySlice<UInt8>) -> String? {
        var l = line
        if l.last == 0x0D { l = l.dropLast() }
        guard l.starts(with: marker), l.last == 0x3A, l.count > marker.count + 1 else { return nil }
        return String(decoding: l.dropFirst(marker.count).dropLast(), as: UTF8.self)
    }

    /// True when `text` looks like `nginx -T` output (it has a "# configuration file PATH:" marker line).
    public static func isDump(_ text: String) -> Bool {
        Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).contains { markedPath($0) != nil }
    }

    /// Splits the dump; throws when it has no marker at all. A file printed twice keeps its first text.
    public static func split(_ text: String) throws -> NginxDump {
        var files: [String: String] = [:]
        var order: [String] = []
        var seen = Set<String>()
        var current: String?
        var body: [UInt8] = []
        func finish() {
            if let c = current, files[c] == nil { files[c] = String(decoding: body, as: UTF8.self) }
        }
        for line in Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false) {
            if let name = markedPath(line) {
                finish()
                if seen.insert(name).inserted { order.append(name) }
                current = name
                body = []
            } else if current != nil {
                body += line
                body.append(0x0A)
            }
        }
        finish()
        guard !order.isEmpty else {
            throw ConfigParseError(file: "nginx -T output", line: 0, reason: "no \"# configuration file\" marker")
        }
        return NginxDump(files: files, order: order)
    }
}
