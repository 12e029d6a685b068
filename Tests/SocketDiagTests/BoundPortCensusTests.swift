import Foundation
import Glibc
import HostFacts
import WSTTestSupport
import XCTest

@testable import SocketDiag

/// `BoundPortCensus` (issue 19): the ports of ip_local_port_range bind() holds, from one sock_diag dump. Oracles:
/// the ports getsockname() gives this test's own sockets (ss 6.1 cannot show bound-only sockets) and `ss -tanH`
/// for every connected or listening socket the census names.
final class BoundPortCensusTests: XCTestCase {
    static func loopback(_ port: Int = 0) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        a.sin_port = UInt16(port).bigEndian
        return a
    }

    static func call(_ fd: Int32, _ addr: sockaddr_in, _ f: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32)
        -> Bool
    {
        var a = addr
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                f(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func localPort(_ fd: Int32) -> Int {
        var a = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: a.sin_port))
    }

    /// Closes with SO_LINGER 0 (an RST): the test leaves no TIME-WAIT socket behind on this host.
    static func abort(_ fd: Int32) {
        var l = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Local ports of every `ss -tanH` row (all states ss 6.1 dumps: not bound-only sockets).
    static func ssPorts() throws -> Set<Int> { try SSOracle.localPorts(["-tanH"]) }

    func testCountsOwnBoundListeningAndConnectedSocketsAgainstGetsocknameAndSs() throws {
        guard BoundPortCensus.kernelDumpsBoundOnly() else { throw XCTSkip("Linux < 6.7 dumps no bound-only socket") }
        let text = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let r = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        let range = try XCTUnwrap(r.count == 2 ? r[0]...r[1] : nil)
        var fds: [Int32] = []
        defer { fds.forEach(Self.abort) }
        var bound: [Int] = []
        for _ in 0..<20 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            fds.append(fd)
            XCTAssertTrue(Self.call(fd, Self.loopback(), Glibc.bind))
            bound.append(Self.localPort(fd))
        }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        fds.append(listener)
        XCTAssertTrue(Self.call(listener, Self.loopback(), Glibc.bind) && listen(listener, 64) == 0)
        let listenPort = Self.localPort(listener)
        var connected: [Int] = []
        for _ in 0..<10 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            fds.append(fd)
            XCTAssertTrue(Self.call(fd, Self.loopback(), Glibc.bind))
            XCTAssertTrue(Self.call(fd, Self.loopback(listenPort), Glibc.connect))
            connected.append(Self.localPort(fd))
            let a = accept(listener, nil, nil)
            if a >= 0 { fds.append(a) }
        }
        let before = try Self.ssPorts()
        let census = try BoundPortCensus.read(range: range)
        let after = try Self.ssPorts()
        XCTAssertTrue(census.boundOnlyDumped)
        for p in bound where range.contains(p) {
            XCTAssertTrue(census.boundOnly.contains(p), "bound-only :\(p) missing")
        }
        if range.contains(listenPort) { XCTAssertTrue(census.listening.contains(listenPort)) }
        for p in connected where range.contains(p) && (p - range.lowerBound) % 2 == 1 {
            XCTAssertTrue(census.connectedAfterBind.contains(p), "bind(0)+connect :\(p) missing")
        }
        let seen = before.union(after)
        XCTAssertTrue(
            census.connectedAfterBind.union(census.listening).isSubset(of: seen),
            "census names ports ss never saw: \(census.connectedAfterBind.union(census.listening).subtracting(seen))")
        XCTAssertTrue(census.all.allSatisfy(range.contains), "only ports inside the range")
        XCTAssertTrue(Set(bound).isDisjoint(with: before), "ss 6.1 does not show bound-only sockets")
    }

    typealias R = BoundPortCensus.Record
    static func flow(_ d: UInt16) -> BoundPortCensus.Flow {
        .init(family: 2, local: (1, 0), remote: (2, 0), remotePort: d)
    }

    func testClassifyGoesByParityPerDestinationAndSpill() {
        let range = 100...199  // 100 ports, 50 of each parity
        // Small flows: bind(0)'s parity (odd offset) counts, connect()'s not; listeners and bound-only always.
        var recs = [R(state: 10, port: 150, flow: Self.flow(0)), R(state: 7, port: 160, flow: Self.flow(0))]
        recs += [R(state: 1, port: 101, flow: Self.flow(1)), R(state: 6, port: 102, flow: Self.flow(1))]
        recs.append(R(state: 1, port: 250, flow: Self.flow(1)))
        var c = BoundPortCensus.classify(recs, range: range, boundOnlyDumped: true)
        XCTAssertEqual(c.listening, [150])
        XCTAssertEqual(c.boundOnly, [160])
        XCTAssertEqual(c.connectedAfterBind, [101])
        // A destination with 70 sockets: connect() filled its even half (50) first, then 20 odd: none counted.
        recs = (0..<50).map { R(state: 1, port: 100 + 2 * $0, flow: Self.flow(9)) }
        recs += (0..<20).map { R(state: 1, port: 101 + 2 * $0, flow: Self.flow(9)) }
        c = BoundPortCensus.classify(recs, range: range, boundOnlyDumped: true)
        XCTAssertEqual(c.connectedAfterBind, [])
        // bind(0) filled the odd half (50) first, then 20 even: all 70 counted.
        recs = (0..<50).map { R(state: 6, port: 101 + 2 * $0, flow: Self.flow(9)) }
        recs += (0..<20).map { R(state: 6, port: 100 + 2 * $0, flow: Self.flow(9)) }
        c = BoundPortCensus.classify(recs, range: range, boundOnlyDumped: true)
        XCTAssertEqual(c.connectedAfterBind.count, 70)
        // 70 bind(0) sockets to 70 destinations: odd half full, so single-socket even ports count too; an even
        // port two destinations share is connect()'s.
        recs = (0..<50).map { R(state: 6, port: 101 + 2 * $0, flow: Self.flow(UInt16($0))) }
        recs += (0..<20).map { R(state: 6, port: 100 + 2 * $0, flow: Self.flow(UInt16(100 + $0))) }
        recs.append(R(state: 1, port: 100, flow: Self.flow(999)))
        c = BoundPortCensus.classify(recs, range: range, boundOnlyDumped: true)
        XCTAssertEqual(c.connectedAfterBind.count, 69, "port 100 is shared: connect()'s")
    }
}
