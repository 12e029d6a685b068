import Glibc

/// pam_limits' view of `nofile` for a user: /etc/security/limits.conf then limits.d/*.conf (sorted).
/// Precedence as pam_limits applies it: an entry naming the user beats an @group entry, which beats `*`;
/// at equal precedence a later line wins. These limits apply to PAM login sessions only, never to systemd services.
public struct LimitsConf: Sendable {
    public struct Entry: Sendable, Equatable {
        public var domain: String
        public var type: String  // soft, hard or -
        public var value: Int?  // nil: unlimited
        public var file: String
        public var line: Int
    }

    public var entries: [Entry]
    public var files: [String]

    public static func read(root: HostRoot) throws -> LimitsConf {
        var entries: [Entry] = []
        var files: [String] = []
        var paths = ["etc/security/limits.conf"]
        paths += root.listDirectory("etc/security/limits.d").filter { $0.hasSuffix(".conf") }.map {
            "etc/security/limits.d/\($0)"
        }
        for p in paths {
            guard let text = try root.readText(p) else { continue }
            files.append(root.resolve(p))
            entries += try parse(text, path: root.resolve(p))
        }
        return LimitsConf(entries: entries, files: files)
    }

    /// Parses `domain type item value` lines, keeping only `nofile`.
    public static func parse(_ text: String, path: String) throws -> [Entry] {
        var out: [Entry] = []
        for (i, raw) in text.hostLines().enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.isEmpty { continue }
            guard f.count >= 4 else {
                throw HostFactsError.malformed(
                    path: path, line: i + 1, reason: "expected '<domain> <type> <item> <value>'")
            }
            guard f[2] == "nofile" else { continue }
            guard ["soft", "hard", "-"].contains(String(f[1])) else {
                throw HostFactsError.malformed(
                    path: path, line: i + 1, reason: "type must be soft, hard or -, got '\(f[1])'")
            }
            let v: Int?
            if ["unlimited", "infinity", "-1"].contains(String(f[3])) {
                v = nil
            } else if let n = Int(f[3]), n >= 0 {
                v = n
            } else {
                throw HostFactsError.malformed(
                    path: path, line: i + 1, reason: "nofile value is not a number: '\(f[3])'")
            }
            out.append(Entry(domain: String(f[0]), type: String(f[1]), value: v, file: path, line: i + 1))
        }
        return out
    }

    /// The nofile a login session of `user` (member of `groups`) gets, with the entry that set each side.
    public func nofile(user: String, groups: Set<String>) -> (limit: FileLimit, soft: Entry?, hard: Entry?) {
        func rank(_ d: String) -> Int? {
            if d == user { return 0 }
            if d.hasPrefix("@"), groups.contains(String(d.dropFirst())) { return 1 }
            if d == "*" { return 2 }
            return nil
        }
        var soft: (Int, Entry)?
        var hard: (Int, Entry)?
        for e in entries {
            guard let r = rank(e.domain) else { continue }
            if e.type == "soft" || e.type == "-" { if soft == nil || r <= soft!.0 { soft = (r, e) } }
            if e.type == "hard" || e.type == "-" { if hard == nil || r <= hard!.0 { hard = (r, e) } }
        }
        return (FileLimit(soft: soft?.1.value, hard: hard?.1.value), soft?.1, hard?.1)
    }

    /// Whether the user exists: on the live host through NSS (LDAP, systemd-homed users count), under another root
    /// in its etc/passwd (a tree without one cannot tell, and the user is taken as given).
    public static func userExists(_ user: String, root: HostRoot) throws -> Bool {
        if root.isLiveRoot { return getpwnam(user) != nil }
        guard let passwd = try root.readText("etc/passwd") else { return true }
        return passwd.hostLines(omittingEmpty: true).contains {
            $0.split(separator: ":", maxSplits: 1).first == Substring(user)
        }
    }

    /// Group names of a user from /etc/passwd (primary) and /etc/group (supplementary).
    public static func groups(of user: String, root: HostRoot) throws -> Set<String> {
        var gids: [String: String] = [:]
        var out = Set<String>()
        if let group = try root.readText("etc/group") {
            for line in group.hostLines(omittingEmpty: true) {
                let f = line.split(separator: ":", omittingEmptySubsequences: false)
                guard f.count >= 4 else { continue }
                gids[String(f[2])] = String(f[0])
                if f[3].split(separator: ",").contains(where: { $0 == user }) { out.insert(String(f[0])) }
            }
        }
        if let passwd = try root.readText("etc/passwd") {
            for line in passwd.hostLines(omittingEmpty: true) {
                let f = line.split(separator: ":", omittingEmptySubsequences: false)
                if f.count >= 4, f[0] == user, let g = gids[String(f[3])] { out.insert(g) }
            }
        }
        return out
    }
}
