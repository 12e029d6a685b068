import XCTest

@testable import SocketDiag

/// The bytecode against an interpreter of the kernel's rules (net/ipv4/inet_diag.c: inet_diag_bc_run): an op
/// either passes (advance by `yes`) or fails (advance by `no`); a program accepts when it ends exactly at its
/// length. The kernel itself is the oracle in CountSocketTests; this checks every jump on many port pairs.
final class DiagFilterTests: XCTestCase {
    /// Evaluates bytecode like inet_diag_bc_run for S_COND/D_COND (AF_UNSPEC host), S_GE/S_LE/D_GE/D_LE and JMP.
    func run(_ bc: [UInt8], sport: UInt16, dport: UInt16) -> Bool {
        var pos = 0
        var len = bc.count
        while len > 0 {
            let code = Int(bc[pos])
            let yes = Int(bc[pos + 1])
            let no = Int(bc[pos + 2]) | Int(bc[pos + 3]) << 8
            var ok = true
            switch code {
            case 1: ok = false  // JMP
            case 2: ok = sport >= UInt16(Int(bc[pos + 6]) | Int(bc[pos + 7]) << 8)
            case 3: ok = sport <= UInt16(Int(bc[pos + 6]) | Int(bc[pos + 7]) << 8)
            case 4: ok = dport >= UInt16(Int(bc[pos + 6]) | Int(bc[pos + 7]) << 8)
            case 5: ok = dport <= UInt16(Int(bc[pos + 6]) | Int(bc[pos + 7]) << 8)
            case 7, 8:
                let port = Int(bc[pos + 8]) | Int(bc[pos + 9]) << 8
                ok = port == Int(code == 7 ? sport : dport)
            default: XCTFail("unexpected op \(code)")
            }
            if ok {
                len -= yes
                pos += yes
            } else {
                len -= no
                pos += no
            }
            XCTAssertGreaterThanOrEqual(len, -4, "jump past the reject point")
            if len < 0 { return false }
        }
        return len == 0
    }

    func check(_ f: DiagFilter, file: StaticString = #filePath, line: UInt = #line) {
        let bc = f.bytecode()
        XCTAssertEqual(bc.count % 4, 0, file: file, line: line)
        let samples: [UInt16] = [0, 1, 79, 80, 81, 443, 8080, 32767, 32768, 40000, 46883, 46884, 52000, 61000, 65535]
        for s in samples {
            for d in samples {
                XCTAssertEqual(
                    run(bc, sport: s, dport: d), f.matches(localPort: s, remotePort: d),
                    "\(f) sport \(s) dport \(d)", file: file, line: line)
            }
        }
    }

    func testSinglePortsBothSides() {
        check(.port(80, remote: false))
        check(.port(443, remote: true))
    }

    func testOrOfSeveralPorts() {
        check(DiagFilter.anyPort([80, 443, 8080], remote: false)!)
        check(DiagFilter.anyPort([80, 443], remote: true)!)
        XCTAssertNil(DiagFilter.anyPort([], remote: false))
    }

    func testPartitionsAndPortFilters() {
        for count in 1...5 {
            for ports in [[], [80], [80, 443, 8080]] as [[UInt16]] {
                for remote in [false, true] {
                    let q = SocketQuery(ports: ports, remote: remote, partitions: count)
                    for i in 0..<count {
                        if let f = q.filter(partition: i) { check(f) }
                    }
                }
            }
        }
    }

    func testPartitionsCoverEveryPortExactlyOnce() {
        for count in 1...8 {
            let q = SocketQuery(ports: [80], partitions: count)
            for peer in stride(from: 0, through: 65535, by: 97).map({ UInt16($0) }) + [32767, 32768, 65535] {
                let matching = (0..<count).filter { i in
                    q.filter(partition: i).map { $0.matches(localPort: 80, remotePort: peer) } ?? true
                }
                XCTAssertEqual(matching.count, 1, "peer port \(peer) with \(count) partitions")
            }
        }
    }

    func testSinglePortLayoutIsHostcondWithUnspecifiedFamily() {
        // struct inet_diag_bc_op {code, yes, no} + struct inet_diag_hostcond {family, prefix_len, port} + address.
        let bc = DiagFilter.port(8080, remote: false).bytecode()
        XCTAssertEqual(bc.count, MemoryLayout<UInt32>.size * 4)
        XCTAssertEqual(Int(bc[0]), 7)  // INET_DIAG_BC_S_COND
        XCTAssertEqual(Int(bc[4]), Int(AF_UNSPEC))
        XCTAssertEqual(Int(bc[8]) | Int(bc[9]) << 8, 8080)
    }
}
