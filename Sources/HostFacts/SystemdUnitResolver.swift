import Glibc

/// Finds a unit's file and drop-ins under a root the way systemd 252's system manager does (systemd.unit(5);
/// unit_file_find_fragment and unit_file_find_dropin_paths in src/shared/): the one resolver audit, plan and lint
/// use. Checked against `systemctl show -p FragmentPath -p DropInPaths` of a real systemd in
/// Tests/IntegrationTests/SystemdResolverTests.swift.
public struct SystemdUnitResolver: Sendable {
    /// The system manager's unit search path, highest priority first, as `systemd-analyze unit-paths` prints it
    /// on Debian 12 (/lib before /usr/lib; on a merged-/usr system both are the same directory).
    public static let searchPath = [
        "etc/systemd/system.control", "run/systemd/system.control", "run/systemd/transient",
        "run/systemd/generator.early",
        "etc/systemd/system", "etc/systemd/system.attached", "run/systemd/system", "run/systemd/system.attached",
        "run/systemd/generator", "usr/local/lib/systemd/system", "lib/systemd/system", "usr/lib/systemd/system",
        "run/systemd/generator.late",
    ]
    /// Longest unit name systemd accepts (UNIT_NAME_MAX).
    static let maxNameLength = 255
    /// Symbolic links followed before giving up (systemd's own limit for unit-file chains is similar).
    static let maxLinks = 16

    public let root: HostRoot
    public init(root: HostRoot) { self.root = root }

    /// `chat` → `chat.service`; refuses what systemd refuses as a unit name (a path, `..`, odd characters).
    public static func fullName(_ raw: String) throws -> String {
        let name = raw.contains(".") ? raw : raw + ".service"
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@")
        guard name.count <= maxNameLength, !name.hasPrefix("."), name.allSatisfy({ allowed.contains($0) }),
            let dot = name.lastIndex(of: "."), dot != name.startIndex, name[name.index(after: dot)...].count > 0,
            name.filter({ $0 == "@" }).count <= 1
        else {
            throw HostFactsError.malformed(
                path: raw, line: 0,
                reason: "not a valid systemd unit name (systemd.unit(5): letters, digits, \":-_.\\\\@\", a type suffix)"
            )
        }
        return name
    }

    /// The unit by name (`chat`, `chat-eu.service`, `chat@8080.service`).
    public func resolve(_ rawName: String) throws -> ResolvedUnit {
        let name = try Self.fullName(rawName)
        let template = Self.template(of: name)
        // The fragment: the instance's own file anywhere in the search path first, then the template's.
        var fragment: (path: String, masked: Bool, target: String)?
        var fragmentName = name
        for candidate in [name] + (template.map { [$0] } ?? []) where fragment == nil {
            for dir in Self.searchPath {
                if let found = try locate("\(dir)/\(candidate)") {
                    fragment = found
                    fragmentName = candidate
                    break
                }
            }
        }
        // Drop-in directories: per search directory the name's, the template's and the dash prefixes', then
        // the type-wide `service.d/` of every search directory last (most generic).
        var names = [name]
        // A fragment that links to a file of another name is an alias: that name's drop-ins apply too.
        if let f = fragment, !f.masked, let alias = f.target.split(separator: "/").last.map(String.init),
            alias != fragmentName,
            (try? Self.fullName(alias)) != nil
        {
            names.append(alias)
        }
        var dirs: [String] = []
        for n in names {
            for dir in Self.searchPath { dirs += Self.dropInDirectories(for: n).map { "\(dir)/\($0).d" } }
        }
        let type = String(name.split(separator: ".").last ?? "")
        for dir in Self.searchPath { dirs.append("\(dir)/\(type).d") }
        let dropIns = try collectDropIns(dirs)

        guard let fragment else {
            // No unit file yet: its drop-ins are still read (they apply once the unit exists, e.g. apply's own).
            var unit = try load(name: name, fragment: nil, fragmentTarget: nil, dropIns: dropIns)
            unit.loadState = .notFound
            return unit
        }
        if fragment.masked {
            return ResolvedUnit(
                name: name, fragment: fragment.path, dropIns: dropIns.map(\.path), assignments: [], problems: [],
                loadState: .masked)
        }
        return try load(name: name, fragment: fragment.path, fragmentTarget: fragment.target, dropIns: dropIns)
    }

    /// A unit file given by path (relative to the root), with the drop-ins of its own `FILE.d/` only.
    public func resolve(unitFileAt relative: String) throws -> ResolvedUnit {
        let name = String(relative.split(separator: "/").last ?? "")
        guard let found = try locate(relative) else {
            throw HostFactsError.unreadable(path: root.resolve(relative), errno: ENOENT)
        }
        let dropIns = try collectDropIns([relative + ".d"])
        if found.masked {
            return ResolvedUnit(
                name: name, fragment: found.path, dropIns: dropIns.map(\.path), assignments: [], problems: [],
                loadState: .masked)
        }
        return try load(name: name, fragment: found.path, fragmentTarget: found.target, dropIns: dropIns)
    }

    private func load(
        name: String, fragment: String?, fragmentTarget: String?,
        dropIns: [(path: String, target: String?)]
    ) throws -> ResolvedUnit {
        var assignments: [UnitAssignment] = []
        var problems: [UnitFileProblem] = []
        let main = fragment.map { [(path: $0, target: fragmentTarget)] } ?? []
        for (shown, target) in main + dropIns {
            guard let target, let text = try readRegular(target) else { continue }
            let parsed = UnitFileParser.parse(text, file: shown)
            assignments += parsed.assignments
            problems += parsed.problems
        }
        let refused = problems.contains { $0.refusesUnit }
        return ResolvedUnit(
            name: name, fragment: fragment, dropIns: dropIns.map(\.path), assignments: assignments,
            problems: problems, loadState: refused ? .error : .loaded)
    }

    /// `*.conf` from the directories in order; the first file of each name wins, the survivors apply in name order.
    /// A drop-in linked to /dev/null (or empty) masks the same name further down. Returns the shown path and the
    /// file to read (nil when masked).
    private func collectDropIns(_ dirs: [String]) throws -> [(path: String, target: String?)] {
        var byName: [String: (path: String, target: String?)] = [:]
        var seenDirs = Set<String>()
        for dir in dirs where seenDirs.insert(dir).inserted {
            for f in root.listDirectory(dir) where f.hasSuffix(".conf") && byName[f] == nil {
                guard let found = try locate("\(dir)/\(f)") else { continue }
                byName[f] = (root.resolve("\(dir)/\(f)"), found.masked ? nil : found.target)
            }
        }
        return byName.keys.sorted().map { byName[$0]! }
    }

    /// Follows symbolic links inside the root (an absolute target is taken under the root, never outside it).
    /// nil when nothing is there; masked when the chain ends at /dev/null or an empty file.
    /// `path` is the shown path (the link), `target` the root-relative file to read.
    func locate(_ relative: String) throws -> (path: String, masked: Bool, target: String)? {
        var current = relative.hasPrefix("/") ? String(relative.dropFirst()) : relative
        for _ in 0..<Self.maxLinks {
            var st = stat()
            guard lstat(root.resolve(current), &st) == 0 else {
                let e = errno
                if e == ENOENT || e == ENOTDIR { return nil }
                throw HostFactsError.unreadable(path: root.resolve(current), errno: e)
            }
            if st.st_mode & S_IFMT == S_IFLNK {
                guard let link = root.readLink(current) else { return nil }
                if link == "/dev/null" { return (root.resolve(relative), true, current) }
                if link.hasPrefix("/") {
                    current = String(link.dropFirst())
                } else {
                    let parent = current.split(separator: "/").dropLast().joined(separator: "/")
                    current = parent.isEmpty ? link : parent + "/" + link
                }
                continue
            }
            if st.st_mode & S_IFMT == S_IFDIR { return nil }
            guard st.st_mode & S_IFMT == S_IFREG else {
                throw HostFactsError.malformed(
                    path: root.resolve(current), line: 0,
                    reason: "not a regular file (\(Self.kind(st.st_mode))): refused")
            }
            return (root.resolve(relative), st.st_size == 0, current)
        }
        throw HostFactsError.malformed(
            path: root.resolve(relative), line: 0, reason: "more than \(Self.maxLinks) symbolic links")
    }

    /// Reads a file `locate` found regular (checked again: a FIFO would block a plain read forever).
    private func readRegular(_ relative: String) throws -> String? {
        var st = stat()
        guard stat(root.resolve(relative), &st) == 0 else { return nil }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw HostFactsError.malformed(
                path: root.resolve(relative), line: 0, reason: "not a regular file (\(Self.kind(st.st_mode))): refused")
        }
        return try root.readText(relative)
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a directory"
        default: return "not a file"
        }
    }

    /// `chat@.service` for `chat@8080.service`; nil for a name without an instance.
    static func template(of name: String) -> String? {
        guard let at = name.firstIndex(of: "@"), let dot = name.lastIndex(of: "."), at < dot,
            name.index(after: at) < dot
        else { return nil }
        return String(name[...at]) + String(name[dot...])
    }

    /// The names whose `NAME.d/` apply, most specific first, as unit_file_find_dirs walks them: the name, for an
    /// instance its template, then each dash prefix of the part before `@` (`chat-eu-west.service` →
    /// `chat-eu-.service`, `chat-.service`). The type-wide `service.d` is added by the caller.
    static func dropInDirectories(for name: String) -> [String] {
        var out = [name]
        if let t = template(of: name) { out.append(t) }
        guard let dot = name.lastIndex(of: ".") else { return out }
        let suffix = name[dot...]
        var prefix = Substring(name[..<dot])
        if let at = prefix.firstIndex(of: "@") { prefix = prefix[..<at] }
        // A name that is itself a dash prefix (`chat-.service`) yields itself first; the filter drops the repeat.
        while let dash = prefix.lastIndex(of: "-"), dash != prefix.startIndex {
            out.append(String(prefix[...dash]) + suffix)
            prefix = prefix[..<dash]
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}
