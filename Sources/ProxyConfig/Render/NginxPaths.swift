/// Files nginx writes: where Debian's package puts them, or all under one prefix for an unprivileged `nginx -t`
/// (which passes only when pid, every *_temp_path and access_log sit under the prefix).
public struct NginxPaths: Sendable, Equatable {
    public var pidFile: String
    public var errorLog: String
    public var accessLog: String
    /// Directory holding body/, proxy/, fastcgi/, uwsgi/ and scgi/ temp directories.
    public var tempDirectory: String

    public init(pidFile: String, errorLog: String, accessLog: String, tempDirectory: String) {
        self.pidFile = pidFile
        self.errorLog = errorLog
        self.accessLog = accessLog
        self.tempDirectory = tempDirectory
    }

    /// Debian's nginx package layout.
    public static let debian = NginxPaths(
        pidFile: "/run/nginx.pid", errorLog: "/var/log/nginx/error.log", accessLog: "/var/log/nginx/access.log",
        tempDirectory: "/var/lib/nginx")

    /// Everything under `prefix` (no trailing slash), for `nginx -t -p PREFIX/` and tests.
    public static func under(_ prefix: String) -> NginxPaths {
        NginxPaths(
            pidFile: "\(prefix)/nginx.pid", errorLog: "\(prefix)/error.log", accessLog: "\(prefix)/access.log",
            tempDirectory: prefix)
    }
}
