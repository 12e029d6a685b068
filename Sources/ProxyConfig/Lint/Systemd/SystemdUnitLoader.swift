import Foundation
import HostFacts

/// Loads a unit for lint through HostFacts' `SystemdUnitResolver` (the resolver audit and plan use): the unit file
/// from systemd's search path (NAME@.service for an instance), then the drop-ins of `UNIT.d/`, the template's,
/// the dash prefixes' (`chat-.service.d/` for `chat-eu.service`) and the type-wide `service.d/`, in systemd's order.
public struct SystemdUnitLoader: Sendable {
    public let root: HostRoot

    public init(root: HostRoot = HostRoot()) {
        self.root = root
    }

    /// Loads a unit by name (`nginx`, `chat@8080.service`) or a unit file by path (its `FILE.d/` drop-ins too).
    public func load(_ nameOrPath: String) throws -> SystemdUnit {
        let resolver = SystemdUnitResolver(root: root)
        let unit: ResolvedUnit
        do {
            unit =
                nameOrPath.contains("/")
                ? try resolver.resolve(unitFileAt: nameOrPath) : try resolver.resolve(nameOrPath)
        } catch let e as HostFactsError {
            throw ConfigParseError(file: nameOrPath, line: 0, reason: "\(e)")
        }
        switch unit.loadState {
        case .notFound:
            let dirs = SystemdUnitResolver.searchPath.map { root.resolve($0) }
            throw ConfigParseError(
                file: unit.name, line: 0, reason: "unit not found in \(dirs.joined(separator: ", "))")
        case .masked:
            throw ConfigParseError(
                file: unit.fragment ?? unit.name, line: 0, reason: "unit is masked (empty or linked to /dev/null)")
        case .loaded, .error:
            break
        }
        return SystemdUnit(
            name: unit.name, files: unit.files, settings: unit.assignments.map(UnitSetting.init),
            errors: unit.problems.map(ConfigParseError.init))
    }
}
