import Foundation
import Glibc
import HostFacts
import WSTTestSupport
import XCTest

@testable import SocketDiag

/// `ListeningPorts` (the LISTEN-only sock_diag dump audit uses on the live host) against `ss -ltnH` and against
/// HostFacts' text-table reader of /proc/net/tcp and tcp6, with listeners this test opens on both families.
final class ListeningPortsTests: XCTestCase {
    /// A socket of this test listening on loopback (port 0: the kernel picks one); closed by the caller.
    static func openListener(ipv6: Bool) throws -> (fd: Int32, port: Int) {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw XCTSkip("socket: errno \(errno)") }
        var port = 0
        if ipv6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_addr = in6addr_loopback
            var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let ok = withUnsafeMutablePointer(to: &a) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, len) == 0 && Glibc.listen(fd, 8) == 0 && getsockname(fd, $0, &len) == 0
                }
            }
            guard ok else { close(fd); throw XCTSkip("no IPv6 loopback here") }
            port = Int(UInt16(bigEndian: a.sin6_port))
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &a) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, len) == 0 && Glibc.listen(fd, 8) == 0 && getsockname(fd, $0, &len) == 0
                }
            }
            XCTAssertTrue(ok, "bind/listen on 127.0.0.1 failed: errno \(errno)")
            port = Int(UInt16(bigEndian: a.sin_port))
        }
        return (fd, port)
    }

    static func ss() throws -> Set<Int> { try SSOracle.localPorts(["-ltnH"]) }

    func testMatchesSsAndTheTextTables() throws {
        let v4 = try Self.openListener(ipv6: false)
        defer { close(v4.fd) }
        let v6 = try? Self.openListener(ipv6: true)
        defer { if let v6 { close(v6.fd) } }
        // Other processes on this machine may open or close listeners meanwhile: compare with what both ss runs saw.
        let before = try Self.ss()
        let dumped = Set(try ListeningPorts.read())
        let text = Set(try Listeners.readPorts(root: HostRoot()))
        let after = try Self.ss()
        let stable = before.intersection(after)
        XCTAssertTrue(dumped.isSuperset(of: stable), "ss: \(stable.sorted()), dump: \(dumped.sorted())")
        XCTAssertTrue(
            before.union(after).isSuperset(of: dumped),
            "the dump lists ports ss never saw: \(dumped.subtracting(before.union(after)).sorted())")
        XCTAssertTrue(text.isSuperset(of: stable))
        XCTAssertTrue(dumped.contains(v4.port))
        if let v6 { XCTAssertTrue(dumped.contains(v6.port), "IPv6 listener :\(v6.port) missing") }
        XCTAssertEqual(try ListeningPorts.read(), try ListeningPorts.read().sorted(), "sorted")
    }

    func testLiveRootUsesTheProviderAndOtherRootsTheTables() throws {
        let fixture = HostRoot("/nonexistent-wstune-root")
        XCTAssertEqual(
            try Listeners.readPorts(root: fixture, live: { [4242] }), [], "a root that is not / never asks netlink")
        XCTAssertEqual(try Listeners.readPorts(root: HostRoot(), live: { [4242] }), [4242])
        struct Refused: Error {}
        // netlink refused (a seccomp'd sandbox): the text tables still answer.
        let v4 = try Self.openListener(ipv6: false)
        defer { close(v4.fd) }
        XCTAssertTrue(try Listeners.readPorts(root: HostRoot(), live: { throw Refused() }).contains(v4.port))
    }
}
