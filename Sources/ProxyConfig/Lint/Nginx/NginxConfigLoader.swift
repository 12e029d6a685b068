import Foundation
import HostFacts

/// Reads an nginx config from files under a `HostRoot`, or from `nginx -T` output, following `include`
/// (globs too) the way nginx does: relative paths against the main file's directory, matches in name order.
public struct NginxConfigLoader: Sendable {
    public let root: HostRoot
    /// `nginx -T` output split into files, when loading a dump instead of the file system.
    private let dump: [String: String]?
    private static let maxDepth = 32

    public init(root: HostRoot = HostRoot()) {
        self.root = root
        dump = nil
    }

    private init(dump: [String: String]) {
        root = HostRoot()
        self.dump = dump
    }

    /// Loads PATH (relative to the root). Throws only when the main file is absent or unreadable.
    public func load(_ path: String) throws -> NginxConfig {
        guard let text = try read(path) else { throw ConfigParseError(file: display(path), line: 0, reason: "no such file") }
        var state = State()
        let prefix = (path as NSString).deletingLastPathComponent
        state.files.append(display(path))
        let directives: [NginxDirective]
        do {
            let parsed = try NginxParser.parse(text, file: display(path))
            directives = expand(parsed, prefix: prefix, state: &state, depth: 0)
        } catch let e as ConfigParseError {
            state.errors.append(e)
            directives = []
        }
        return NginxConfig(mainFile: display(path), directives: directives, files: state.files, errors: state.errors)
    }

    /// True when `text` looks like `nginx -T` output (it has "# configuration file PATH:" markers).
    public static func isDump(_ text: String) -> Bool {
        text.split(separator: "\n").contains { $0.hasPrefix("# configuration file ") && $0.hasSuffix(":") }
    }

    /// Loads the flattened `nginx -T` output: the first "# configuration file" is the main file.
    public static func load(dump text: String) throws -> NginxConfig {
        var files: [String: String] = [:]
        var order: [String] = []
        var current: String?
        var body = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# configuration file ") && line.hasSuffix(":") {
                if let c = current { files[c] = body }
                let name = String(line.dropFirst("# configuration file ".count).dropLast())
                current = name
                order.append(name)
                body = ""
            } else if current != nil {
                body += line + "\n"
            }
        }
        if let c = current { files[c] = body }
        guard let main = order.first else {
            throw ConfigParseError(file: "nginx -T output", line: 0, reason: "no \"# configuration file\" marker")
        }
        return try NginxConfigLoader(dump: files).load(main)
    }

    private struct State {
        var files: [String] = []
        var errors: [ConfigParseError] = []
    }

    private func expand(_ directives: [NginxDirective], prefix: String, state: inout State, depth: Int) -> [NginxDirective] {
        var out: [NginxDirective] = []
        for var d in directives {
            if d.name == "include", d.block == nil, let pattern = d.args.first {
                guard depth < Self.maxDepth else {
                    state.errors.append(ConfigParseError(file: d.location.file, line: d.location.line, reason: "includes nest deeper than \(Self.maxDepth)"))
                    continue
                }
                let full = pattern.hasPrefix("/") ? pattern : (prefix as NSString).appendingPathComponent(pattern)
                let matches = self.matches(full)
                if matches.isEmpty && !full.contains(where: { "*?[".contains($0) }) {
                    state.errors.append(ConfigParseError(file: d.location.file, line: d.location.line,
                                                         reason: "include \"\(pattern)\": no such file"))
                }
                for m in matches {
                    state.files.append(display(m))
                    do {
                        guard let text = try read(m) else { continue }
                        let parsed = try NginxParser.parse(text, file: display(m))
                        out += expand(parsed, prefix: prefix, state: &state, depth: depth + 1)
                    } catch let e as ConfigParseError {
                        state.errors.append(e)
                    } catch {
                        state.errors.append(ConfigParseError(file: display(m), line: 0, reason: "\(error)"))
                    }
                }
                continue
            }
            if let block = d.block { d.block = expand(block, prefix: prefix, state: &state, depth: depth) }
            out.append(d)
        }
        return out
    }

    private func read(_ path: String) throws -> String? {
        if let dump { return dump[path] }
        return try root.readText(path)
    }

    /// Paths (relative to the root, as written) matching a glob, sorted like nginx's glob().
    private func matches(_ pattern: String) -> [String] {
        if let dump { return dump.keys.filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }.sorted() }
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(root.resolve(pattern), 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            guard let p = g.gl_pathv[i] else { continue }
            let full = String(cString: p)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), isDir.boolValue { continue }
            out.append(root.path == "/" ? full : String(full.dropFirst(root.path.count)))
        }
        return out.sorted()
    }

    private func display(_ path: String) -> String { dump == nil ? root.resolve(path) : path }
}
