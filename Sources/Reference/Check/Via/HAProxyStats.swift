import Foundation

/// HAProxy's `show info` answer: "Name: value" lines. Unknown fields are kept in `fields`; CRLF is tolerated.
public struct HAProxyInfo: Sendable, Equatable {
    public var fields: [String: String]

    public init(parsing text: String) {
        var fields: [String: String] = [:]
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { fields[name] = value }
        }
        self.fields = fields
    }

    public func int(_ name: String) -> Int? { fields[name].flatMap { Int($0) } }

    public var currConns: Int? { int("CurrConns") }
    /// The process's maxconn (HAProxy computes it from ulimit-n when the config gives none).
    public var maxconn: Int? { int("Maxconn") }
    public var hardMaxconn: Int? { int("Hard_maxconn") }
    public var ulimitN: Int? { int("Ulimit-n") }
    public var maxsock: Int? { int("Maxsock") }
    public var cumConns: Int? { int("CumConns") }
    public var maxconnReached: Int? { int("MaxconnReached") }
}

/// One row of `show stat` (CSV; the header line starts with "# ").
public struct HAProxyStatRow: Sendable, Equatable {
    public var fields: [String: String]
    public var proxy: String { fields["pxname"] ?? "" }
    /// FRONTEND, BACKEND or a server name.
    public var service: String { fields["svname"] ?? "" }
    public func int(_ name: String) -> Int? { fields[name].flatMap { Int($0) } }
    public var scur: Int? { int("scur") }
    public var smax: Int? { int("smax") }
    public var slim: Int? { int("slim") }
    public var econ: Int? { int("econ") }
    public var eresp: Int? { int("eresp") }
    public var dreq: Int? { int("dreq") }
    public var ereq: Int? { int("ereq") }
}

public enum HAProxyStat {
    /// Parses `show stat` CSV; rows whose column count differs from the header are padded or truncated.
    public static func parse(_ text: String) -> [HAProxyStatRow] {
        var header: [String]?
        var rows: [HAProxyStatRow] = []
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let names = line.dropFirst().trimmingCharacters(in: .whitespaces)
                header = names.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                continue
            }
            guard let header else { continue }
            let values = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var fields: [String: String] = [:]
            for (i, name) in header.enumerated() where !name.isEmpty && i < values.count && !values[i].isEmpty {
                fields[name] = values[i]
            }
            rows.append(HAProxyStatRow(fields: fields))
        }
        return rows
    }
}

/// A bounded client of HAProxy's stats unix socket: one command per connection, read until EOF or timeout.
public enum HAProxyStatsSocket {
    public static func query(path: String, command: String, timeoutSeconds: Double = 2) -> String? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(
            tv_sec: Int(timeoutSeconds), tv_usec: Int(timeoutSeconds.truncatingRemainder(dividingBy: 1) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in bytes.enumerated() { buf[i] = b }
            buf[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return nil }
        let line = Array((command + "\n").utf8)
        guard line.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == line.count else { return nil }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline, out.count < 4 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
