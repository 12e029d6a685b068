import Foundation
import HostFacts

/// Finds a unit and its drop-ins under a root and merges them in systemd's order (systemd.unit(5)): the unit
/// file from the first directory of the search path holding it (NAME@.service for an instance), then every
/// `*.conf` from `UNIT.d/`, `TEMPLATE@.service.d/` and the type-wide `service.d/` across the search path, a
/// name in a higher-priority directory masking the same name lower down, applied in file-name order.
public struct SystemdUnitLoader: Sendable {
    public let root: HostRoot

    public init(root: HostRoot = HostRoot()) {
        self.root = root
    }

    /// Loads a unit by name (`nginx`, `chat@8080.service`) or a unit file by path (its `FILE.d/` drop-ins too).
    public func load(_ nameOrPath: String) throws -> SystemdUnit {
        if nameOrPath.contains("/") {
            let name = (nameOrPath as NSString).lastPathComponent
            let dropDir = nameOrPath + ".d"
            let dropIns = root.listDirectory(dropDir).filter { $0.hasSuffix(".conf") }.map { "\(dropDir)/\($0)" }
            return try merge(name: name, unitFile: nameOrPath, dropIns: dropIns)
        }
        let name = nameOrPath.contains(".") ? nameOrPath : nameOrPath + ".service"
        var names = [name]
        if let at = name.firstIndex(of: "@"), let dot = name.lastIndex(of: "."), at < dot {
            names.append(String(name[...at]) + String(name[dot...]))
        }
        let dirs = SystemdUnitLimits.unitDirectories
        var unitFile: String?
        search: for dir in dirs {
            for n in names where root.exists("\(dir)/\(n)") {
                unitFile = "\(dir)/\(n)"
                break search
            }
        }
        guard let unitFile else {
            throw ConfigParseError(file: name, line: 0, reason: "unit not found in \(dirs.map { root.resolve($0) }.joined(separator: ", "))")
        }
        let type = (name as NSString).pathExtension
        var byName: [String: String] = [:]
        for dir in dirs.reversed() {
            for d in ["\(type).d"] + names.reversed().map({ "\($0).d" }) {
                for f in root.listDirectory("\(dir)/\(d)") where f.hasSuffix(".conf") { byName[f] = "\(dir)/\(d)/\(f)" }
            }
        }
        return try merge(name: name, unitFile: unitFile, dropIns: byName.keys.sorted().map { byName[$0]! })
    }

    private func merge(name: String, unitFile: String, dropIns: [String]) throws -> SystemdUnit {
        guard let text = try root.readText(unitFile) else {
            throw ConfigParseError(file: root.resolve(unitFile), line: 0, reason: "no such file")
        }
        var unit = SystemdUnit(name: name, files: [root.resolve(unitFile)], settings: [], errors: [])
        let main = SystemdUnit.parse(text, file: root.resolve(unitFile))
        unit.settings = main.settings
        unit.errors = main.errors
        for d in dropIns {
            guard let t = try root.readText(d) else { continue }
            let parsed = SystemdUnit.parse(t, file: root.resolve(d))
            unit.files.append(root.resolve(d))
            unit.settings += parsed.settings
            unit.errors += parsed.errors
        }
        return unit
    }
}
