import HostFacts

/// A unit as systemd sees it: the unit file, then its drop-ins in systemd's order, all settings in the order
/// they apply. For a single-valued key the last assignment wins; an empty assignment resets it (for most keys:
/// rlimits such as LimitNOFILE= are not reset by it, see `limit(_:)`). Built by `SystemdUnitLoader` from the one
/// resolver in HostFacts (`SystemdUnitResolver`), which audit and plan use too.
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

    /// An rlimit key (LimitNOFILE=) resolved as systemd does: the last valid value in [Service]; invalid, empty and
    /// misplaced ([Unit], [Install]) assignments are ignored and named.
    public func limit(_ key: String = "LimitNOFILE") -> UnitLimitResolution {
        let type = String(name.split(separator: ".").last ?? "service")
        let section = ["service": "Service", "socket": "Socket", "mount": "Mount", "swap": "Swap"][type] ?? "Service"
        return UnitLimitResolution.resolve(
            key, in: section,
            settings.map {
                UnitAssignment(
                    section: $0.section, key: $0.key, value: $0.value, file: $0.location.file, line: $0.location.line)
            })
    }

    /// Parses one unit file or drop-in (pure), with systemd's syntax (`UnitFileParser`).
    public static func parse(_ text: String, file: String) -> (settings: [UnitSetting], errors: [ConfigParseError]) {
        let parsed = UnitFileParser.parse(text, file: file)
        return (parsed.assignments.map(UnitSetting.init), parsed.problems.map(ConfigParseError.init))
    }
}

extension UnitSetting {
    init(_ a: UnitAssignment) {
        self.init(section: a.section, key: a.key, value: a.value, location: SourceLocation(file: a.file, line: a.line))
    }
}

extension ConfigParseError {
    init(_ p: UnitFileProblem) {
        self.init(file: p.file, line: p.line, reason: p.reason)
    }
}
