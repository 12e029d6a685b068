import Foundation
import HostFacts

/// Reads an nginx config from files under a `HostRoot`, or from `nginx -T` output, following `include`
/// (globs too) the way nginx does: relative paths against the main file's directory, matches in name order.
/// Hostile trees cannot make it hang: an include of a file already being included (by device and inode, or by
/// name in a dump) is a cycle and refused, only regular files are read (a FIFO is refused by name), and the
/// number of files read and their total size are capped.
public struct NginxConfigLoader: Sendable {
    public let root: HostRoot
    /// `nginx -T` output split into files, when loading a dump instead of the file system.
    private let dump: NginxDump?
    public static let maxIncludeDepth = 32
    /// Files read in total (an included file counts each time it is included).
    public static let maxFiles = 4096
    /// Bytes read in total.
    public static let maxTotalBytes = 64 << 20
    static let maxErrors = 100

    public init(root: HostRoot = HostRoot()) {
        self.root = root
        dump = nil
    }

    private init(dump: NginxDump) {
        root = HostRoot()
        self.dump = dump
    }

    /// Loads PATH (relative to the root). Throws only when the main file is absent or unreadable.
    public func load(_ path: String) throws -> NginxConfig {
        var state = State()
        let key = try self.key(path)
        guard let text = try read(path, state: &state) else {
            throw ConfigParseError(file: display(path), line: 0, reason: "no such file")
        }
        let prefix = (path as NSString).deletingLastPathComponent
        state.files.append(display(path))
        let directives: [NginxDirective]
        do {
            let parsed = try NginxParser.parse(text, file: display(path))
            directives = expand(
                parsed, prefix: prefix, state: &state, includeDepth: 0, blockDepth: 0, stack: key.map { [$0] } ?? [])
        } catch let e as ConfigParseError {
            state.add(e)
            directives = []
        }
        return NginxConfig(mainFile: display(path), directives: directives, files: state.files, errors: state.errors)
    }

    /// True when `text` looks like `nginx -T` output (it has "# configuration file PATH:" markers).
    public static func isDump(_ text: String) -> Bool { NginxDump.isDump(text) }

    /// Loads the flattened `nginx -T` output: the first "# configuration file" is the main file.
    public static func load(dump text: String) throws -> NginxConfig {
        let dump = try NginxDump.split(text)
        return try NginxConfigLoader(dump: dump).load(dump.order[0])
    }

    /// What names a file for cycle detection: (device, inode) on disk, the path in a dump.
    private enum Key: Hashable {
        case inode(UInt64, UInt64)
        case name(String)
    }

    private struct State {
        var files: [String] = []
        var errors: [ConfigParseError] = []
        var seenErrors = Set<String>()
        var loads = 0
        var bytes = 0
        var stopped = false
        var globs: [String: [String]] = [:]

        /// Records an error once; past `maxErrors` one last line says more were dropped.
        mutating func add(_ e: ConfigParseError) {
            guard seenErrors.insert(e.description).inserted else { return }
            if errors.count < NginxConfigLoader.maxErrors {
                errors.append(e)
            } else if errors.count == NginxConfigLoader.maxErrors {
                errors.append(ConfigParseError(file: e.location.file, line: 0, reason: "more errors not shown"))
            }
        }
    }

    private func expand(
        _ directives: [NginxDirective], prefix: String, state: inout State, includeDepth: Int, blockDepth: Int,
        stack: [Key]
    ) -> [NginxDirective] {
        var out: [NginxDirective] = []
        for var d in directives {
            if state.stopped { break }
            if d.name == "include", d.block == nil, let pattern = d.args.first {
                let at = d.location
                guard includeDepth < Self.maxIncludeDepth else {
                    state.add(
                        ConfigParseError(
                            file: at.file, line: at.line, reason: "includes nest deeper than \(Self.maxIncludeDepth)"))
                    continue
                }
                let full = pattern.hasPrefix("/") ? pattern : (prefix as NSString).appendingPathComponent(pattern)
                let matches = self.matches(full, state: &state)
                if matches.isEmpty && !full.contains(where: { "*?[".contains($0) }) {
                    state.add(
                        ConfigParseError(file: at.file, line: at.line, reason: "include \"\(pattern)\": no such file"))
                }
                for m in matches {
                    guard state.loads < Self.maxFiles else {
                        state.add(
                            ConfigParseError(
                                file: at.file, line: at.line,
                                reason: "more than \(Self.maxFiles) included files: the rest of the config is not read")
                        )
                        state.stopped = true
                        break
                    }
                    do {
                        guard let key = try key(m) else { continue }
                        if stack.contains(key) {
                            state.add(
                                ConfigParseError(
                                    file: at.file, line: at.line,
                                    reason:
                                        "include \"\(pattern)\": \(display(m)) includes itself (an include cycle nginx would follow forever)"
                                ))
                            continue
                        }
                        state.files.append(display(m))
                        guard let text = try read(m, state: &state) else { continue }
                        let parsed = try NginxParser.parse(text, file: display(m), depth: blockDepth)
                        out += expand(
                            parsed, prefix: prefix, state: &state, includeDepth: includeDepth + 1,
                            blockDepth: blockDepth,
                            stack: stack + [key])
                    } catch let e as ConfigParseError {
                        state.add(e)
                    } catch {
                        state.add(ConfigParseError(file: display(m), line: 0, reason: "\(error)"))
                    }
                }
                continue
            }
            if let block = d.block {
                d.block = expand(
                    block, prefix: prefix, state: &state, includeDepth: includeDepth, blockDepth: blockDepth + 1,
                    stack: stack)
            }
            out.append(d)
        }
        return out
    }

    /// The file's identity; nil when it does not exist. Throws for what is not a regular file (FIFO, device,
    /// directory): reading one would block or never end.
    private func key(_ path: String) throws -> Key? {
        if let dump { return dump.files[path] == nil ? nil : .name(path) }
        guard let id = root.identity(path) else { return nil }
        guard id.isRegularFile else {
            throw ConfigParseError(
                file: display(path), line: 0, reason: "not a regular file (a FIFO, device or directory): not read")
        }
        return .inode(id.device, id.inode)
    }

    private func read(_ path: String, state: inout State) throws -> String? {
        let text: String?
        if let dump {
            text = dump.files[path]
        } else {
            if let id = root.identity(path), id.sizeBytes > Int64(Self.maxTotalBytes - state.bytes) {
                throw ConfigParseError(
                    file: display(path), line: 0,
                    reason: "more than \(Self.maxTotalBytes >> 20) MiB of config in total: not read")
            }
            do { text = try root.readText(path) } catch let e as HostFactsError {
                throw ConfigParseError(file: display(path), line: 0, reason: "\(e)")
            }
        }
        guard let text else { return nil }
        state.loads += 1
        state.bytes += text.utf8.count
        if state.bytes > Self.maxTotalBytes {
            state.stopped = true
            throw ConfigParseError(
                file: display(path), line: 0,
                reason: "more than \(Self.maxTotalBytes >> 20) MiB of config in total: not read")
        }
        return text
    }

    /// Paths (relative to the root, as written) matching a glob, sorted like nginx's glob(); cached per load.
    private func matches(_ pattern: String, state: inout State) -> [String] {
        if let cached = state.globs[pattern] { return cached }
        let found = globMatches(pattern)
        state.globs[pattern] = found
        return found
    }

    private func globMatches(_ pattern: String) -> [String] {
        let isGlob = pattern.contains(where: { "*?[".contains($0) })
        if let dump {
            guard isGlob else { return dump.files[pattern] == nil ? [] : [pattern] }
            return dump.order.filter { fnmatch(pattern, $0, FNM_PATHNAME | FNM_PERIOD) == 0 }.sorted()
        }
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(root.resolve(pattern), 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            guard let p = g.gl_pathv[i] else { continue }
            let full = String(cString: p)
            let rel = root.path == "/" ? full : String(full.dropFirst(root.path.count))
            if root.identity(rel)?.isDirectory == true { continue }
            out.append(rel)
        }
        return out.sorted()
    }

    private func display(_ path: String) -> String { dump == nil ? root.resolve(path) : path }
}
