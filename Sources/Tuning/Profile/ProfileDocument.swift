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

    /// Parses a profile file's text. Pure: tests call it with a string.
    static func parse(_ text: String, path: String) throws -> ProfileDocument {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ProfileError.syntax(path: path, line: Self.line(of: error), reason: Self.problem(of: error))
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
                    throw ProfileError.invalidValue(path: path, line: line, key: key, reason: "expected a list of ports")
                }
                doc.listenPorts = try seq.map { item in
                    let p = try positive(item, key, item.mark?.line ?? line)
                    guard p <= 65535 else {
                        throw ProfileError.invalidValue(path: path, line: item.mark?.line ?? line, key: key, reason: "port \(p) is above 65535")
                    }
                    return p
                }
            case "conntrack":
                let s = try string(value, key, line)
                guard let mode = ConntrackMode(rawValue: s) else {
                    throw ProfileError.invalidValue(path: path, line: line, key: key, reason: "expected auto, on or off, got '\(s)'")
                }
                doc.conntrack = mode
            case "proxy":
                guard let map = value.mapping else {
                    throw ProfileError.invalidValue(path: path, line: line, key: key, reason: "expected a mapping with enabled and backends")
                }
                for (k, v) in map {
                    let kl = k.mark?.line ?? line
                    switch k.string ?? "" {
                    case "enabled":
                        guard let b = v.bool else {
                            throw ProfileError.invalidValue(path: path, line: kl, key: "proxy.enabled", reason: "expected true or false")
                        }
                        doc.proxy = b
                    case "backends": doc.backendAddresses = try positive(v, "proxy.backends", kl)
                    default: throw ProfileError.unknownKey(path: path, line: kl, key: "proxy.\(k.string ?? "?")")
                    }
                }
            case "settings":
                guard let map = value.mapping else {
                    throw ProfileError.invalidValue(path: path, line: line, key: key, reason: "expected a mapping of key: number")
                }
                for (k, v) in map {
                    let kl = k.mark?.line ?? line
                    let name = k.string ?? "?"
                    guard settableKeys.contains(name) else {
                        throw ProfileError.unknownKey(path: path, line: kl, key: "settings.\(name)")
                    }
                    guard let n = v.int, n >= 0 else {
                        throw ProfileError.invalidValue(path: path, line: kl, key: "settings.\(name)", reason: "expected a non-negative whole number, got '\(v.string ?? "?")'")
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
                throw ProfileError.invalidValue(path: path, line: line, key: key, reason: "expected a positive whole number, got '\(raw)'")
            }
            return i
        }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        default: return 0
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}
