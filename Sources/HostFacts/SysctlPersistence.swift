/// Where persisted sysctl values come from at boot, read from sysctl.d and /etc/sysctl.conf under the root.
///
/// Two orders exist and differ (sysctl.d(5), procps sysctl(8)): systemd-sysctl at boot reads `*.conf` from
/// /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d (and /lib/sysctl.d), a file name in an
/// earlier directory masking the same name later, all applied in file-name order; it does not read
/// /etc/sysctl.conf itself (Debian links it in as /etc/sysctl.d/99-sysctl.conf). `sysctl --system` (procps) does the
/// same and then applies /etc/sysctl.conf last. For one key the last assignment applied wins.
public struct SysctlPersistence: Sendable {
    public struct Assignment: Sendable, Equatable, Codable {
        public var key: String
        public var value: SysctlValue
        public var file: String
        public var line: Int
        /// A leading "-": errors (unknown key) are ignored.
        public var ignoreErrors: Bool
    }

    public enum Order: String, Sendable, Codable, CaseIterable {
        case systemd = "systemd-sysctl"
        case procps = "sysctl --system"
    }

    public static let directories = [
        "etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d", "lib/sysctl.d",
    ]
    public static let modulesLoadDirectories = [
        "etc/modules-load.d", "run/modules-load.d", "usr/local/lib/modules-load.d", "usr/lib/modules-load.d",
        "lib/modules-load.d",
    ]

    /// Assignments in the order systemd-sysctl applies them.
    public private(set) var systemdOrder: [Assignment]
    /// Assignments in the order `sysctl --system` applies them.
    public private(set) var procpsOrder: [Assignment]
    /// The modules-load.d file that loads nf_conntrack at boot, or nil.
    public var conntrackModulesLoad: String?
    /// Positions of each key's assignments, so a lookup costs that key's assignments, not the whole list (a
    /// 16 MiB sysctl.d holds ~650,000 lines and every check looks keys up).
    private var systemdIndex: [String: [Int]] = [:]
    private var procpsIndex: [String: [Int]] = [:]

    public init(systemdOrder: [Assignment], procpsOrder: [Assignment], conntrackModulesLoad: String?) {
        self.systemdOrder = systemdOrder
        self.procpsOrder = procpsOrder
        self.conntrackModulesLoad = conntrackModulesLoad
        for (i, a) in systemdOrder.enumerated() { systemdIndex[a.key, default: []].append(i) }
        for (i, a) in procpsOrder.enumerated() { procpsIndex[a.key, default: []].append(i) }
    }

    public static func read(root: HostRoot) throws -> SysctlPersistence {
        var chosen: [String: String] = [:]
        for dir in directories.reversed() {
            for f in root.listDirectory(dir) where f.hasSuffix(".conf") { chosen[f] = "\(dir)/\(f)" }
        }
        var ordered: [Assignment] = []
        for name in chosen.keys.sorted() {
            let rel = chosen[name]!
            guard let text = try root.readText(rel) else { continue }
            ordered += try parse(text, path: root.resolve(rel))
        }
        var procps = ordered
        if let text = try root.readText("etc/sysctl.conf") {
            procps += try parse(text, path: root.resolve("etc/sysctl.conf"))
        }
        var modules: String?
        var modChosen: [String: String] = [:]
        for dir in modulesLoadDirectories.reversed() {
            for f in root.listDirectory(dir) where f.hasSuffix(".conf") { modChosen[f] = "\(dir)/\(f)" }
        }
        if let text = try root.readText("etc/modules") {
            modules = loadsConntrack(text) ? root.resolve("etc/modules") : nil
        }
        for name in modChosen.keys.sorted() where modules == nil {
            if let text = try root.readText(modChosen[name]!), loadsConntrack(text) {
                modules = root.resolve(modChosen[name]!)
            }
        }
        return SysctlPersistence(systemdOrder: ordered, procpsOrder: procps, conntrackModulesLoad: modules)
    }

    static func loadsConntrack(_ text: String) -> Bool {
        text.hostLines(omittingEmpty: true).contains { line in
            let t = line.split(separator: "#").first?.trimmingCharacters(in: .whitespaces) ?? ""
            return t == "nf_conntrack" || t.hasPrefix("nf_conntrack ")
        }
    }

    /// Parses sysctl.d syntax: `key = value`, comments with # or ;, keys with / or . separators, "-" prefix.
    public static func parse(_ text: String, path: String) throws -> [Assignment] {
        var out: [Assignment] = []
        for (i, raw) in text.hostLines().enumerated() {
            let line = raw.trimmingBlanks()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw HostFactsError.malformed(path: path, line: i + 1, reason: "expected 'key = value'")
            }
            var key = String(line[..<eq].trimmingBlanks())
            let value = String(line[line.index(after: eq)...].trimmingBlanks())
            var ignore = false
            if key.hasPrefix("-") {
                ignore = true
                key.removeFirst()
            }
            guard !key.isEmpty else {
                throw HostFactsError.malformed(path: path, line: i + 1, reason: "empty key")
            }
            // "net/core/somaxconn" and "net.core.somaxconn" name the same key (the first separator decides).
            if let first = key.firstIndex(where: { $0 == "/" || $0 == "." }), key[first] == "/" {
                key = key.replacingOccurrences(of: "/", with: ".")
            }
            out.append(Assignment(key: key, value: SysctlValue(value), file: path, line: i + 1, ignoreErrors: ignore))
        }
        return out
    }

    /// The assignment that wins for a key in an order (the last one applied), or nil if none persists it.
    public func winner(_ key: SysctlKey, order: Order) -> Assignment? {
        assignments(key, order: order).last
    }

    /// Every assignment of a key, in application order (all but the last lose).
    public func assignments(_ key: SysctlKey, order: Order) -> [Assignment] {
        let (list, index) = order == .systemd ? (systemdOrder, systemdIndex) : (procpsOrder, procpsIndex)
        return (index[key.name] ?? []).map { list[$0] }
    }
}
