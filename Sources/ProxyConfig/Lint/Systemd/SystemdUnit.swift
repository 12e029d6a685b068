/// A unit as systemd sees it: the unit file, then its drop-ins in systemd's order, all settings in the order
/// they apply. For a single-valued key the last assignment wins; an empty assignment resets it.
public struct SystemdUnit: Sendable, Equatable {
    public var name: String
    /// The unit file, then each drop-in, in the order applied.
    public var files: [String]
    public var settings: [UnitSetting]
    public var errors: [ConfigParseError]

    public init(name: String, files: [String], settings: [UnitSetting], errors: [ConfigParseError]) {
        self.name = name
        self.files = files
        self.settings = settings
        self.errors = errors
    }

    /// The assignment in effect for a single-valued key, nil when unset or reset by an empty assignment.
    public func value(_ section: String, _ key: String) -> UnitSetting? {
        guard let last = settings.last(where: { $0.section == section && $0.key == key }) else { return nil }
        return last.value.isEmpty ? nil : last
    }

    /// Parses one unit file or drop-in (pure). Continuation lines end in a backslash.
    public static func parse(_ text: String, file: String) -> (settings: [UnitSetting], errors: [ConfigParseError]) {
        var settings: [UnitSetting] = []
        var errors: [ConfigParseError] = []
        var section: String?
        var pending: (text: String, line: Int)?
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            var line = String(raw).trimmingCharacters(in: .whitespaces)
            if var p = pending {
                if line.hasPrefix("#") || line.hasPrefix(";") { continue }
                if line.hasSuffix("\\") {
                    p.text += " " + line.dropLast()
                    pending = p
                    continue
                }
                line = p.text + " " + line
                pending = nil
                add(line, at: p.line)
                continue
            }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasSuffix("\\") {
                pending = (String(line.dropLast()), n)
                continue
            }
            add(line, at: n)
        }
        if let p = pending { add(p.text, at: p.line) }
        return (settings, errors)

        func add(_ line: String, at lineNo: Int) {
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    errors.append(ConfigParseError(file: file, line: lineNo, reason: "section header without ']'"))
                    section = nil
                    return
                }
                section = String(line.dropFirst().dropLast())
                return
            }
            guard let eq = line.firstIndex(of: "=") else {
                errors.append(ConfigParseError(file: file, line: lineNo, reason: "expected Key=value, got '\(line)'"))
                return
            }
            guard let s = section else {
                errors.append(ConfigParseError(file: file, line: lineNo, reason: "assignment outside any [Section]"))
                return
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            settings.append(UnitSetting(section: s, key: key, value: value, location: SourceLocation(file: file, line: lineNo)))
        }
    }
}
