import HostFacts
import Yams

/// One profile file as written: only the keys it sets, each with its line, before inheritance.
struct ProfileDocument {
    var path: String
    var name: String?
    var description: String?
    var include: String?
    var connections: Int?
    var pingIntervalSeconds: Int?
    var reconnectWindowSeconds: Int?
    var perConnectionBytes: Int?
    var proxy: Bool?
    var backendAddresses: Int?
    var listenPorts: [Int]?
    var conntrack: ConntrackMode?
    var settings: [String: Int] = [:]

    static let topLevelKeys: Set<String> = [
        "name", "description", "include", "connections", "ping_interval_seconds", "reconnect_window_seconds",
        "per_connection_bytes", "proxy", "listen_ports", "conntrack", "settings",
    ]
    /// Keys `settings:` may pin; anything else is a typo and rejected.
    public static let settableKeys: Set<String> = [
        "nofile", "proxy_nofile", "fs.file-max", "fs.nr_open", "net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog",
        "net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_buckets", "net.core.netdev_max_backlog",
        "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_max_tw_buckets",
        "net.ipv4.tcp_max_orphans", "ephemeral_ports",
    ]

    /// Largest value of each number a profile may set (README, "Input limits"). Settings stop at the kernel's own
    /// maximum for the key: INT_MAX for int sysctls, NR_OPEN's 1,073,741,816 for nofile, LONG_MAX for fs.file-max.
    static let maximum: [String: Int] = [
        "connections": Profile.maximumConnections, "ping_interval_seconds": 86_400, "reconnect_window_seconds": 86_400,
        "per_connection_bytes": 1 << 30, "proxy.backends": 1_000_000,
    ]
    static let intSysctlMaximum = Int(Int32.max)
    static let settingMaximum: [String: Int] = [
        "nofile": 1_073_741_816, "proxy_nofile": 1_073_741_816, "fs.nr_open": 1_073_741_816, "fs.file-max": Int.max,
        "ephemeral_ports": 64_512,
    ]

    /// Parses a profile file's text. Pure: tests call it with a string.
    static func parse(_ text: String, path: String) throws -> ProfileDocument {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ProfileError.syntax(path: path, line: Self.line(of: error, in: text), reason: Self.problem(of: error))
        } catch {
            throw ProfileError.syntax(path: path, line: 0, reason: "\(error)")
        }
        guard let root = node?.mapping else {
            throw ProfileError.syntax(path: path, line: node?.mark?.line ?? 1, reason: "a profile is a mapping of keys")
        }
        var doc = ProfileDocument(path: path)
        for (keyNode, value) in root {
            guard let key = keyNode.string else {
                throw ProfileError.syntax(path: path, line: keyNode.mark?.line ?? 0, reason: "keys are strings")
            }
            let line = keyNode.mark?.line ?? 0
            switch key {
            case "name": doc.name = try string(value, key, line)
            case "description": doc.description = try string(value, key, line)
            case "include": doc.include = try string(value, key, line)
            case "connections": doc.connections = try positive(value, key, line)
            case "ping_interval_seconds": doc.pingIntervalSeconds = try positive(value, key, line)
            case "reconnect_window_seconds": doc.reconnectWindowSeconds = try positive(value, key, line)
            case "per_connection_bytes": doc.perConnectionBytes = try positive(value, key, line)
            case "listen_ports":
                guard let seq = value.sequence else {
                    throw ProfileError.invalidValue(
                        path: path, line: line, key: key, reason: "expected a list of ports")
                }
                doc.listenPorts = try seq.map { item in
                    let p = try positive(item, key, item.mark?.line ?? line)
                    guard p <= 65535 else {
                        throw ProfileError.invalidValue(
                            path: path, line: item.mark?.line ?? line, key: key, reason: "port \(p) is above 65535")
                    }
                    return p
                }
            case "conntrack":
                let s = try string(value, key, line)
                guard let mode = ConntrackMode(rawValue: s) else {
                    throw ProfileError.invalidValue(
                        path: path, line: line, key: key, reason: "expected auto, on or off, got '\(s)'")
                }
                doc.conntrack = mode
            case "proxy":
                guard let map = value.mapping else {
                    throw ProfileError.invalidValue(
                        path: path, line: line, key: key, reason: "expected a mapping with enabled and backends")
                }
                for (k, v) in map {
                    let kl = k.mark?.line ?? line
                    switch k.string ?? "" {
                    case "enabled":
                        guard let b = v.bool else {
                            throw ProfileError.invalidValue(
                                path: path, line: kl, key: "proxy.enabled", reason: "expected true or false")
                        }
                        doc.proxy = b
                    case "backends": doc.backendAddresses = try positive(v, "proxy.backends", kl)
                    default: throw ProfileError.unknownKey(path: path, line: kl, key: "proxy.\(k.string ?? "?")")
                    }
                }
            case "settings":
                guard let map = value.mapping else {
                    throw ProfileError.invalidValue(
                        path: path, line: line, key: key, reason: "expected a mapping of key: number")
                }
                for (k, v) in map {
                    let kl = k.mark?.line ?? line
                    let name = k.string ?? "?"
                    guard settableKeys.contains(name) else {
                        throw ProfileError.unknownKey(path: path, line: kl, key: "settings.\(name)")
                    }
                    guard let n = v.int, n >= 0 else {
                        throw ProfileError.invalidValue(
                            path: path, line: kl, key: "settings.\(name)",
                            reason: "expected a non-negative whole number, got '\(v.string ?? "?")'")
                    }
                    let limit = settingMaximum[name] ?? intSysctlMaximum
                    guard n <= limit else {
                        throw ProfileError.invalidValue(
                            path: path, line: kl, key: "settings.\(name)", reason: "\(n) is above the maximum \(limit)")
                    }
                    doc.settings[name] = n
                }
            default:
                throw ProfileError.unknownKey(path: path, line: line, key: key)
            }
        }
        return doc

        func string(_ n: Node, _ key: String, _ line: Int) throws -> String {
            guard let s = n.scalar?.string else {
                throw ProfileError.invalidValue(path: path, line: line, key: key, reason: "expected a string")
            }
            return s
        }
        func positive(_ n: Node, _ key: String, _ line: Int) throws -> Int {
            let raw = n.scalar?.string ?? ""
            guard let i = Int(raw.replacingOccurrences(of: "_", with: "")), i > 0 else {
                throw ProfileError.invalidValue(
                    path: path, line: line, key: key, reason: "expected a positive whole number, got '\(raw)'")
            }
            if let limit = maximum[key], i > limit {
                throw ProfileError.invalidValue(
                    path: path, line: line, key: key, reason: "\(i) is above the maximum \(limit)")
            }
            return i
        }
    }

    static func line(of error: YamlError, in text: String) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .reader(_, let offset, _, _):
            guard let offset else { return 1 }
            return text.utf8.prefix(offset).filter { $0 == 10 }.count + 1
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; the error is the repeat, so find the key again further down at
            // the same indentation.
            return repeatLine(of: duplicates.sorted().first ?? "", after: context.mark, in: text) ?? context.mark.line
        default: return 1
        }
    }

    /// The line (1-based) after `mark` where `key:` starts at the column of `mark`.
    static func repeatLine(of key: String, after mark: Mark, in text: String) -> Int? {
        let lines = text.hostLines()
        guard mark.line >= 1 else { return nil }
        let indent = max(mark.column - 1, 0)
        var i = mark.line  // index of the line after the first occurrence
        while i < lines.count {
            let line = lines[i]
            let body = line.drop(while: { $0 == " " })
            if line.count - body.count == indent {
                for form in [key, "\"\(key)\"", "'\(key)'"] where body.hasPrefix(form) {
                    if body.dropFirst(form.count).drop(while: { $0 == " " }).hasPrefix(":") { return i + 1 }
                }
            }
            i += 1
        }
        return nil
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        case .reader(let problem, _, _, _): return problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", "))"
        default: return "\(error)"
        }
    }
}
