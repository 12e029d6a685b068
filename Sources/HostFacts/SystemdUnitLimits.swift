import Foundation

/// The nofile limit systemd gives a service: from `systemctl show` when systemd runs on the live root, else
/// computed from the unit file, its drop-ins (merged in systemd's order) and DefaultLimitNOFILE.
public struct SystemdUnitLimits: Sendable {
    /// Unit search path, highest priority first (systemd.unit(5), system manager).
    public static let unitDirectories = [
        "etc/systemd/system", "run/systemd/system", "usr/local/lib/systemd/system", "usr/lib/systemd/system",
        "lib/systemd/system",
    ]
    /// systemd's built-in DefaultLimitNOFILE since v240: soft 1024 (select() safety), hard 524288.
    public static let builtinDefault = FileLimit(soft: 1024, hard: 524288)

    public struct Result: Sendable, Equatable {
        public var limit: FileLimit
        /// What decided it: "systemctl show", a file:line, or "DefaultLimitNOFILE".
        public var origin: String
        /// The unit file found, nil if none.
        public var unitFile: String?
        public var dropIns: [String]
    }

    public let root: HostRoot
    public init(root: HostRoot) { self.root = root }

    /// True when systemd is PID 1 on the live root (where `systemctl show` tells the truth).
    public var systemdRuns: Bool { root.isLiveRoot && root.exists("run/systemd/system") }

    public func read(unit rawName: String) throws -> Result {
        let name = rawName.contains(".") ? rawName : rawName + ".service"
        if systemdRuns, let shown = Self.systemctlShow(unit: name) {
            return Result(limit: shown, origin: "systemctl show", unitFile: nil, dropIns: [])
        }
        return try fromFiles(unit: name)
    }

    /// Reads the unit file and drop-ins under the root.
    public func fromFiles(unit name: String) throws -> Result {
        // A template instance NAME@ARG.service is configured by NAME@.service.
        var candidates = [name]
        if let at = name.firstIndex(of: "@"), let dot = name.lastIndex(of: "."), at < dot {
            candidates.append(String(name[...at]) + String(name[dot...]))
        }
        var unitFile: String?
        search: for dir in Self.unitDirectories {
            for c in candidates where root.exists("\(dir)/\(c)") {
                unitFile = "\(dir)/\(c)"
                break search
            }
        }
        // Drop-ins: every UNIT.d/*.conf across the search path; a name in a higher-priority directory masks the
        // same name lower down; the survivors apply in file-name order.
        var byName: [String: String] = [:]
        for dir in Self.unitDirectories.reversed() {
            for c in candidates.reversed() {
                for f in root.listDirectory("\(dir)/\(c).d") where f.hasSuffix(".conf") {
                    byName[f] = "\(dir)/\(c).d/\(f)"
                }
            }
        }
        let dropIns = byName.keys.sorted().map { byName[$0]! }
        var limit: FileLimit?
        var origin = ""
        for file in (unitFile.map { [$0] } ?? []) + dropIns {
            guard let text = try root.readText(file) else { continue }
            if let (value, line) = try Self.parseLimitNOFILE(text, path: root.resolve(file)) {
                limit = value
                origin = "\(root.resolve(file)):\(line)"
            }
        }
        if limit == nil {
            let d = try defaultLimit()
            limit = d.limit
            origin = d.origin
        }
        return Result(limit: limit!, origin: origin, unitFile: unitFile.map(root.resolve), dropIns: dropIns.map(root.resolve))
    }

    /// DefaultLimitNOFILE from system.conf and system.conf.d, or systemd's built-in default.
    public func defaultLimit() throws -> (limit: FileLimit, origin: String) {
        var files = ["etc/systemd/system.conf"]
        var byName: [String: String] = [:]
        for dir in ["usr/lib/systemd/system.conf.d", "usr/local/lib/systemd/system.conf.d", "run/systemd/system.conf.d",
                    "etc/systemd/system.conf.d"] {
            for f in root.listDirectory(dir) where f.hasSuffix(".conf") { byName[f] = "\(dir)/\(f)" }
        }
        files += byName.keys.sorted().map { byName[$0]! }
        var result = (limit: Self.builtinDefault, origin: "systemd's built-in DefaultLimitNOFILE=1024:524288")
        for f in files {
            guard let text = try root.readText(f) else { continue }
            if let (v, line) = try Self.parseLimitNOFILE(text, path: root.resolve(f), key: "DefaultLimitNOFILE") {
                result = (v, "\(root.resolve(f)):\(line)")
            }
        }
        return result
    }

    /// The last `LimitNOFILE=` in a [Service] (or [Manager]) section; an empty assignment resets to nil.
    static func parseLimitNOFILE(_ text: String, path: String, key: String = "LimitNOFILE") throws -> (FileLimit, Int)? {
        var found: (FileLimit, Int)?
        var continued = ""
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = continued + raw.trimmingCharacters(in: .whitespaces)
            continued = ""
            if line.hasSuffix("\\") {
                line.removeLast()
                continued = line
                continue
            }
            if line.hasPrefix("#") || line.hasPrefix(";") { continue }
            guard line.hasPrefix(key + "=") || line.hasPrefix(key + " =") else { continue }
            let value = line.split(separator: "=", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if value.isEmpty {
                found = nil
                continue
            }
            guard let limit = parseLimitValue(value) else {
                throw HostFactsError.malformed(path: path, line: i + 1, reason: "\(key)= expects N, SOFT:HARD or infinity, got '\(value)'")
            }
            found = (limit, i + 1)
        }
        return found
    }

    /// "65536", "1024:524288", "infinity", "1K" (systemd accepts binary suffixes for limits).
    static func parseLimitValue(_ s: String) -> FileLimit? {
        func one(_ t: Substring) -> Int?? {
            if t == "infinity" { return .some(nil) }
            var digits = t
            var mult = 1
            if let last = t.last, let m = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024][String(last)] {
                digits = t.dropLast()
                mult = m
            }
            guard let v = Int(digits) else { return nil }
            return .some(v * mult)
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, let v = one(parts[0]) { return FileLimit(soft: v, hard: v) }
        if parts.count == 2, let a = one(parts[0]), let b = one(parts[1]) { return FileLimit(soft: a, hard: b) }
        return nil
    }

    /// `systemctl show -p LimitNOFILE -p LimitNOFILESoft UNIT`; nil when it fails.
    static func systemctlShow(unit: String) -> FileLimit? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["systemctl", "show", "-p", "LimitNOFILE", "-p", "LimitNOFILESoft", "--", unit]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        var hard: Int??
        var soft: Int??
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let v: Int? = kv[1] == "infinity" ? nil : Int(kv[1])
            if kv[0] == "LimitNOFILE" { hard = .some(v) }
            if kv[0] == "LimitNOFILESoft" { soft = .some(v) }
        }
        guard let h = hard, let s = soft else { return nil }
        return FileLimit(soft: s, hard: h)
    }
}
