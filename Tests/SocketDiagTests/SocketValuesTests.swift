import Glibc
import XCTest

@testable import SocketDiag

final class SocketValuesTests: XCTestCase {
    /// State numbers against the C library's own enum (netinet/tcp.h).
    func testStateNumbersAreTheKernels() {
        XCTAssertEqual(TCPState.established.rawValue, Int(TCP_ESTABLISHED))
        XCTAssertEqual(TCPState.synRecv.rawValue, Int(TCP_SYN_RECV))
        XCTAssertEqual(TCPState.timeWait.rawValue, Int(TCP_TIME_WAIT))
        XCTAssertEqual(TCPState.closeWait.rawValue, Int(TCP_CLOSE_WAIT))
        XCTAssertEqual(TCPState.listen.rawValue, Int(TCP_LISTEN))
        XCTAssertEqual(TCPState.closing.rawValue, Int(TCP_CLOSING))
        XCTAssertEqual(TCPState(name: "TIME_WAIT"), .timeWait)
        XCTAssertEqual(TCPState(name: "syn-recv"), .synRecv)
        XCTAssertNil(TCPState(name: "bogus"))
        XCTAssertEqual([TCPState.established, .timeWait].diagMask, 1 << 1 | 1 << 6)
    }

    /// Two dumps only while another CPU is idle (runnable counts this process too), and never on one CPU.
    func testAutomaticPartitionsTakeASecondDumpOnlyWithAnIdleCPU() {
        XCTAssertEqual(SocketQuery.automaticPartitions(usableCPUs: 2, runnableTasks: 1), 2)
        XCTAssertEqual(SocketQuery.automaticPartitions(usableCPUs: 2, runnableTasks: 2), 1)
        XCTAssertEqual(SocketQuery.automaticPartitions(usableCPUs: 2, runnableTasks: 26), 1)
        XCTAssertEqual(SocketQuery.automaticPartitions(usableCPUs: 1, runnableTasks: 1), 1)
        XCTAssertEqual(SocketQuery.automaticPartitions(usableCPUs: 8, runnableTasks: 3), 2)
        XCTAssertEqual(SocketQuery.automaticPartitions(usableCPUs: 0, runnableTasks: 0), 1)
        let live = SocketQuery.automaticPartitions()
        XCTAssertTrue(live == 1 || live == 2, "\(live)")
    }

    /// Peer addresses print as inet_ntop prints what inet_pton parsed; IPv4-mapped IPv6 folds into IPv4.
    func testPeerAddressText() {
        func words(_ text: String, _ af: Int32) -> (UInt32, UInt32, UInt32, UInt32) {
            var w: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
            XCTAssertEqual(withUnsafeMutableBytes(of: &w) { inet_pton(af, text, $0.baseAddress) }, 1, text)
            return w
        }
        for v4 in ["127.0.0.1", "10.1.2.3", "255.255.255.255"] {
            XCTAssertEqual(PeerAddress(family: 4, words: words(v4, AF_INET)).description, v4)
        }
        for v6 in ["::1", "2001:db8::8:800:200c:417a", "fe80::1"] {
            XCTAssertEqual(PeerAddress(family: 6, words: words(v6, AF_INET6)).description, v6)
        }
        let mapped = PeerAddress(family: 6, words: words("::ffff:192.0.2.7", AF_INET6))
        XCTAssertEqual(mapped, PeerAddress(family: 4, words: words("192.0.2.7", AF_INET)))
        XCTAssertEqual(mapped.description, "192.0.2.7")
    }

    func testMergeAddsDisjointDumps() {
        var a = SocketCounts(byState: [.established: 3], byPort: [80: 2], queue: QueuePressure(thresholdBytes: 10))
        var qb = QueuePressure(thresholdBytes: 10)
        qb.sendQueueOver = 2
        qb.largestSendQueueBytes = 99
        a.merge(SocketCounts(byState: [.established: 4, .timeWait: 1], byPort: [80: 1, 443: 5], queue: qb, dumps: 1))
        XCTAssertEqual(a.byState, [.established: 7, .timeWait: 1])
        XCTAssertEqual(a.byPort, [80: 3, 443: 5])
        XCTAssertEqual(a.queue.sendQueueOver, 2)
        XCTAssertEqual(a.queue.largestSendQueueBytes, 99)
        XCTAssertEqual(a.total, 8)
    }
}
