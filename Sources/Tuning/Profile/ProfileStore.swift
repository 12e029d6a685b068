import Foundation
import HostFacts

/// Finds and resolves profiles from directories of `*.yaml` files, following `include:`.
public struct ProfileStore: Sendable {
    /// Directories searched in order; the first holding `NAME.yaml` wins.
    public let directories: [String]

    /// Longest include chain followed (a profile and 31 ancestors); deeper is refused, not recursed into.
    public static let maximumIncludeDepth = 32

    public init(directories: [String]) {
        self.directories = directories
    }

    /// Names of every profile found, first directory winning on duplicates, sorted.
    public func names() -> [String] {
        var seen = Set<String>()
        for dir in directories {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for e in entries where e.hasSuffix(".yaml") { seen.insert(String(e.dropLast(5))) }
        }
        return seen.sorted()
    }

    /// Loads NAME (searched in the directories) or PATH (anything containing "/" or ending in .yaml).
    public func load(_ nameOrPath: String) throws -> Profile {
        try resolve(nameOrPath, chain: [])
    }

    func path(for nameOrPath: String, relativeTo base: String?) throws -> String {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") {
            if nameOrPath.hasPrefix("/") || base == nil { return nameOrPath }
            let sibling = (base! as NSString).deletingLastPathComponent + "/" + nameOrPath
            return sibling
        }
        // An include is looked up next to the including file first, then in the store.
        var candidates: [String] = []
        if let base { candidates.append((base as NSString).deletingLastPathComponent + "/\(nameOrPath).yaml") }
        candidates += directories.map { "\($0)/\(nameOrPath).yaml" }
        for c in candidates where FileManager.default.fileExists(atPath: c) { return c }
        throw ProfileError.notFound(name: nameOrPath, searched: directories)
    }

    private func resolve(_ nameOrPath: String, chain: [String], base: String? = nil) throws -> Profile {
        let path = try self.path(for: nameOrPath, relativeTo: base)
        let canonical = URL(fileURLWithPath: path).standardizedFileURL.path
        if chain.contains(canonical) {
            throw ProfileError.includeCycle(chain: (chain + [canonical]).map { ($0 as NSString).lastPathComponent })
        }
        if chain.count >= Self.maximumIncludeDepth {
            throw ProfileError.includeTooDeep(path: chain.last ?? path, limit: Self.maximumIncludeDepth)
        }
        let text: String
        do {
            // The one safe reader: regular files only (a FIFO would block), size-capped, CR LF read as LF.
            guard let bytes = try RegularFile.readBytes(atPath: path) else {
                throw ProfileError.notFound(name: nameOrPath, searched: [path])
            }
            guard let t = String(bytes: bytes, encoding: .utf8) else {
                throw ProfileError.unreadable(path: path, reason: "not UTF-8 text")
            }
            text = t
        } catch let e as HostFactsError {
            throw ProfileError.unreadable(path: path, reason: e.reason)
        }
        let doc = try ProfileDocument.parse(text, path: path)
        let fileName = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let name = doc.name ?? fileName
        var parent: Profile?
        if let inc = doc.include {
            parent = try resolve(inc, chain: chain + [canonical], base: path)
        }
        let profile = try merge(doc, name: name, over: parent)
        try ProfileStrings.validate(profile)
        return profile
    }

    private func merge(_ doc: ProfileDocument, name: String, over parent: Profile?) throws -> Profile {
        let here = ValueOrigin.explicit(profile: name)
        func pick<T>(_ own: T?, _ inherited: Sourced<T>?, _ fallback: T) -> Sourced<T> {
            if let own { return Sourced(own, here) }
            if let inherited {
                // Values the parent set itself become "inherited from parent"; its defaults stay derived.
                if case .explicit(let p) = inherited.origin { return Sourced(inherited.value, .inherited(from: p)) }
                return inherited
            }
            return Sourced(fallback, .derived)
        }
        guard let connections = doc.connections ?? parent?.connections.value else {
            throw ProfileError.missingKey(path: doc.path, key: "connections")
        }
        _ = connections
        var settings: [String: Sourced<Int>] = [:]
        for (k, v) in parent?.settings ?? [:] { settings[k] = pick(nil, v, v.value) }
        for (k, v) in doc.settings { settings[k] = Sourced(v, here) }
        return Profile(
            name: name,
            description: doc.description ?? parent?.description ?? "",
            includes: parent.map { [$0.name] + $0.includes } ?? [],
            sourcePath: doc.path,
            connections: pick(doc.connections, parent?.connections, 0),
            pingIntervalSeconds: pick(doc.pingIntervalSeconds, parent?.pingIntervalSeconds, 30),
            reconnectWindowSeconds: pick(doc.reconnectWindowSeconds, parent?.reconnectWindowSeconds, 10),
            perConnectionBytes: pick(
                doc.perConnectionBytes, parent?.perConnectionBytes, Profile.defaultPerConnectionBytes),
            proxy: pick(doc.proxy, parent?.proxy, false),
            backendAddresses: pick(doc.backendAddresses, parent?.backendAddresses, 1),
            listenPorts: pick(doc.listenPorts, parent?.listenPorts, []),
            conntrack: pick(doc.conntrack, parent?.conntrack, .auto),
            settings: settings
        )
    }
}
