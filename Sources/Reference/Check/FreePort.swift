import Foundation

/// Asks the kernel for a free TCP port on an IPv4 address (bind to port 0, read it back, close).
public enum FreePort {
    public static func find(host: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CheckError.noFreePort(host: host) }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { throw CheckError.noFreePort(host: host) }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw CheckError.noFreePort(host: host) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let got = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard got == 0 else { throw CheckError.noFreePort(host: host) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
