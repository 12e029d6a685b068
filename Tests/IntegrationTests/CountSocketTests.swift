import Foundation
import XCTest

/// `wstune count` against `ss`, both run in the same fresh namespace over the same quiescent sockets: a few
/// thousand established connections on two ports over IPv4 and IPv6, plus TIME-WAIT, CLOSE-WAIT and a stalled
/// reader made on purpose. Every expected number is measured with ss in the test, never written down.
final class CountSocketTests: XCTestCase {
    static let portA = 8801, portB = 8802
    nonisolated(unsafe) static var namespace: NetNamespace?
    nonisolated(unsafe) static var peers: CountTestPeers?
    nonisolated(unsafe) static var setupError: Error?

    override class func setUp() {
        super.setUp()
        do {
            let ns = try NetNamespace("count")
            namespace = ns
            peers = try CountTestPeers(
                namespace: ns, portA: portA, portB: portB, ipv4A: 1500, ipv4B: 1000,
                ipv6A: 800, ipv6B: 700, timeWait: 50, closeWait: 30)
        } catch {
            setupError = error
        }
    }

    override class func tearDown() {
        peers?.stop()
        namespace?.delete()
        super.tearDown()
    }

    var ns: NetNamespace {
        get throws {
            if let e = CountSocketTests.setupError { throw e }
            guard let ns = CountSocketTests.namespace else { throw XCTSkip("no namespace") }
            return ns
        }
    }

    /// Lines `ss` prints for a filter (-H: no header), counted by wc -l like an operator would.
    func ssCount(_ args: String) throws -> Int {
        let r = try ns.exec(["sh", "-c", "ss -Htn \(args) | wc -l"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func wstune(_ args: [String]) throws -> CommandResult {
        let r = try ns.exec([TestSupport.wstuneBinary] + args)
        XCTAssertEqual(r.status, 0, "wstune \(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    func number(_ args: [String]) throws -> Int {
        Int(try wstune(args).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func json(_ args: [String]) throws -> [String: Any] {
        let r = try wstune(args + ["--json"])
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
    }

    func testPlainNumberMatchesSsForPortsSidesAndFamilies() throws {
        let a = CountSocketTests.portA
        let b = CountSocketTests.portB
        let cases: [([String], String)] = [
            (["--port", "\(a)"], "state established '( sport = :\(a) )'"),
            (["--port", "\(b)"], "state established '( sport = :\(b) )'"),
            (["--port", "\(a)", "--port", "\(b)"], "state established '( sport = :\(a) or sport = :\(b) )'"),
            (["--port", "\(a)", "--remote"], "state established '( dport = :\(a) )'"),
            (["--port", "\(b)", "--local"], "state established '( sport = :\(b) )'"),
            (["--port", "\(a)", "-4"], "-4 state established '( sport = :\(a) )'"),
            (["--port", "\(a)", "-6"], "-6 state established '( sport = :\(a) )'"),
            ([], "state established"),
            (["--state", "time-wait"], "state time-wait"),
            (["--state", "close-wait", "--port", "\(a)"], "state close-wait '( sport = :\(a) )'"),
            (["--state", "fin-wait-2", "--port", "\(a)", "--remote"], "state fin-wait-2 '( dport = :\(a) )'"),
            (["--state", "time-wait", "--port", "\(b)", "--remote"], "state time-wait '( dport = :\(b) )'"),
        ]
        for (args, ssArgs) in cases {
            let expected = try ssCount(ssArgs)
            // One dump for both families (default), one per family, and three port-space slices per family.
            for variant in [[], ["--per-family"], ["--partitions", "3"], ["--per-family", "--partitions", "3"]] {
                XCTAssertEqual(
                    try number(["count"] + args + variant), expected,
                    "count \(args) \(variant) vs ss \(ssArgs)")
            }
        }
        // The shapes really were made (these would be zero if the peers had not done their job).
        XCTAssertGreaterThanOrEqual(try ssCount("state established '( sport = :\(a) )'"), 2300)
        XCTAssertEqual(try ssCount("state time-wait"), 50)
        XCTAssertEqual(try ssCount("state close-wait"), 30)
    }

    func testByStateMatchesSsForEveryState() throws {
        let report = try json(["count", "--by", "state"])
        let byState = try XCTUnwrap(report["byState"] as? [String: Int])
        // ss's own state names (ss(8): "All standard TCP states").
        let states = [
            "established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2", "time-wait", "closed",
            "close-wait", "last-ack", "listening", "closing",
        ]
        XCTAssertEqual(Set(byState.keys), Set(states))
        for s in states {
            XCTAssertEqual(byState[s], try ssCount("state \(s)"), "state \(s)")
        }
        // The table form carries the same numbers.
        let table = try wstune(["count", "--by", "state"]).stdout
        XCTAssertEqual(byState["listening"], 4, "two ports, IPv4 and IPv6")
        for s in ["established", "time-wait", "close-wait", "listening"] {
            let row = table.split(separator: "\n").first { $0.split(separator: " ").first.map(String.init) == s }
            XCTAssertEqual(row.flatMap { $0.split(separator: " ").last.flatMap { Int($0) } }, byState[s], "row \(s)")
        }
    }

    func testByPortMatchesSsLocalAndRemote() throws {
        for remote in [false, true] {
            let report = try json(
                ["count", "--by", "port", "--state", "all", "--top", "100000"] + (remote ? ["--remote"] : []))
            let rows = try XCTUnwrap(report["byPort"] as? [[String: Any]])
            var ours: [String: Int] = [:]
            for r in rows { ours[r["key"] as! String] = r["sockets"] as? Int }
            // ss -tan: column 4 is the local address:port, column 5 the peer's.
            let column = remote ? 5 : 4
            let ss = try ns.exec(["sh", "-c", "ss -Htan | awk '{print $\(column)}' | sed 's/.*://' | sort | uniq -c"])
            var theirs: [String: Int] = [:]
            for line in ss.stdout.split(separator: "\n") {
                let f = line.split(separator: " ")
                // ss prints an unconnected socket's (a listener's) peer port 0 as "*".
                if f.count == 2, let n = Int(f[0]) { theirs[f[1] == "*" ? "0" : String(f[1]), default: 0] += n }
            }
            XCTAssertEqual(ours, theirs, remote ? "remote ports" : "local ports")
            XCTAssertGreaterThan(ours.count, 100)
        }
    }

    func testByPeerMatchesSs() throws {
        let report = try json(["count", "--by", "peer", "--port", "\(CountSocketTests.portA)", "--top", "1000"])
        let rows = try XCTUnwrap(report["byPeer"] as? [[String: Any]])
        var ours: [String: Int] = [:]
        for r in rows { ours[r["key"] as! String] = r["sockets"] as? Int }
        let ss = try ns.exec([
            "sh", "-c",
            "ss -Htn state established '( sport = :\(CountSocketTests.portA) )' "
                + "| awk '{print $4}' | sed -e 's/:[0-9]*$//' -e 's/^\\[//' -e 's/\\]$//' -e 's/^::ffff://' | sort | uniq -c",
        ])
        var theirs: [String: Int] = [:]
        for line in ss.stdout.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 2, let n = Int(f[0]) { theirs[String(f[1])] = n }
        }
        XCTAssertEqual(ours, theirs)
        XCTAssertGreaterThanOrEqual(ours.count, 8)  // 127.0.0.2-8 and ::1 at least
    }

    func testQueuePressureMatchesSsQueues() throws {
        let threshold = 65536
        let report = try json(["count", "--state", "established", "--queue-threshold", "\(threshold)"])
        let q = try XCTUnwrap(report["queue"] as? [String: Int])
        // ss -tn: column 2 is Recv-Q, column 3 Send-Q (for established sockets: unread and unsent/unacked bytes).
        let ss = try ns.exec(["sh", "-c", "ss -Htn state established | awk '{print $1, $2}'"])
        var rOver = 0
        var wOver = 0
        var rMax = 0
        var wMax = 0
        for line in ss.stdout.split(separator: "\n") {
            let f = line.split(separator: " ").compactMap { Int($0) }
            guard f.count == 2 else { continue }
            if f[0] > threshold { rOver += 1 }
            if f[1] > threshold { wOver += 1 }
            rMax = max(rMax, f[0])
            wMax = max(wMax, f[1])
        }
        XCTAssertEqual(q["receiveQueueOver"], rOver)
        XCTAssertEqual(q["sendQueueOver"], wOver)
        XCTAssertEqual(q["largestReceiveQueueBytes"], rMax)
        XCTAssertEqual(q["largestSendQueueBytes"], wMax)
        XCTAssertGreaterThanOrEqual(wOver, 1, "the stalled reader should hold unsent bytes")
        XCTAssertGreaterThanOrEqual(rOver, 1, "the stalled reader should hold unread bytes")
    }

    func testKernelFilterIsTheOneSsSends() throws {
        guard (try? TestSupport.run(["strace", "-V"]))?.status == 0 else { throw XCTSkip("strace not installed") }
        let a = CountSocketTests.portA
        let b = CountSocketTests.portB
        for (ours, theirs) in [
            (["--port", "\(a)"], "( sport = :\(a) )"),
            (["--port", "\(a)", "--port", "\(b)"], "( sport = :\(a) or sport = :\(b) )"),
            (["--port", "\(b)", "--remote"], "( dport = :\(b) )"),
        ] {
            // One family per run, so each program sends one request from one thread.
            for family in ["-4", "-6"] {
                let ss = try bytecodes(["ss", "-Htn", family, "state", "established", theirs])
                let mine = try bytecodes([TestSupport.wstuneBinary, "count", "--partitions", "1", family] + ours)
                XCTAssertEqual(ss.count, 1, "ss \(family) \(theirs)")
                XCTAssertEqual(mine, ss, "bytecode for \(ours) \(family)")
            }
        }
    }

    /// The INET_DIAG_REQ_BYTECODE payloads of the sock_diag requests a program sends, as hex, sorted: captured
    /// with `strace -e write=all`, which hex-dumps every buffer a send call writes.
    func bytecodes(_ command: [String]) throws -> [String] {
        let r = try ns.exec(["strace", "-f", "-qq", "-e", "trace=sendto,sendmsg", "-e", "write=all", "--"] + command)
        var requests: [[UInt8]] = []
        for line in r.stderr.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(" | ") {
                let chars = Array(line)
                guard chars.count > 10, !requests.isEmpty else { continue }
                let hexArea = String(chars[10..<min(chars.count, 59)])
                requests[requests.count - 1] += hexArea.split(separator: " ").compactMap { UInt8($0, radix: 16) }
            } else if line.contains("sendmsg(") || line.contains("sendto(") {
                requests.append([])
            }
        }
        var out: [String] = []
        for bytes in requests where bytes.count > 76 {
            let type = Int(bytes[4]) | Int(bytes[5]) << 8
            guard type == 20 else { continue }  // SOCK_DIAG_BY_FAMILY
            let attrLength = Int(bytes[72]) | Int(bytes[73]) << 8
            let attrType = Int(bytes[74]) | Int(bytes[75]) << 8
            guard attrType == 1, 72 + attrLength <= bytes.count else { continue }  // INET_DIAG_REQ_BYTECODE
            var code = Array(bytes[76..<(72 + attrLength)])
            // The two padding bytes of each inet_diag_hostcond (after family and prefix_len) carry whatever was in
            // the sender's memory (ss leaves them uninitialised); the kernel ignores them, so the comparison does.
            var pos = 0
            while pos + 8 <= code.count, code[pos + 1] > 0 {
                if code[pos] == 7 || code[pos] == 8 {
                    code[pos + 6] = 0
                    code[pos + 7] = 0
                }
                pos += Int(code[pos + 1])
            }
            out.append(code.map { String(format: "%02x", $0) }.joined())
        }
        return out.sorted()
    }

    /// A failing first dump is the error the command reports: strace makes the first sendto (or the first
    /// recvmsg) of the one both-families dump fail, and the program must name that call, its request and errno,
    /// exit 2, and not hide it behind a second try.
    func testFirstDumpErrorSurfacesWithItsCallAndErrno() throws {
        guard (try? TestSupport.run(["strace", "-V"]))?.status == 0 else { throw XCTSkip("strace not installed") }
        for (call, errno, text) in [
            ("sendto", "EPERM", "Operation not permitted"), ("recvmsg", "ENOBUFS", "No buffer space available"),
        ] {
            let r = try ns.exec(
                [
                    "strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=\(call)",
                    "-e", "inject=\(call):error=\(errno):when=1", "--", TestSupport.wstuneBinary, "count", "--port",
                    "\(CountSocketTests.portA)",
                ])
            XCTAssertEqual(r.status, 2, "\(call) \(errno): stdout \(r.stdout) stderr \(r.stderr)")
            // The first failing call is the one-walk request; strace's when=1 counts per thread, so a second try
            // (one dump per family, in two threads) fails too and would name AF_INET or AF_INET6 instead.
            let call = call == "sendto" ? "sendto" : "recvfrom"
            XCTAssertTrue(r.stderr.contains("\(call)(netlink, TCPDIAG_GETSOCK dump (both families))"), r.stderr)
            XCTAssertTrue(r.stderr.contains(text), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "no number after a failed dump")
        }
    }

    /// A kernel without netlink, as the program sees it: an LD_PRELOAD library makes socket(AF_NETLINK, …) fail
    /// with EAFNOSUPPORT (what socket(2) returns for a family the kernel does not have).
    func testNetlinkUnavailableExitsTwoWithAClearMessage() throws {
        let compilers = ["cc", "gcc", "clang"].filter { (try? TestSupport.run(["which", $0]))?.status == 0 }
        guard let compiler = compilers.first else { throw XCTSkip("no C compiler for the preload library") }
        let dir = try TestSupport.temporaryDirectory("wst-nonetlink")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("nonetlink.c")
        let library = dir.appendingPathComponent("nonetlink.so")
        try """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <errno.h>
        #include <sys/socket.h>
        int socket(int domain, int type, int protocol) {
            if (domain == AF_NETLINK) { errno = EAFNOSUPPORT; return -1; }
            int (*real)(int, int, int) = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
            return real(domain, type, protocol);
        }
        """.write(to: source, atomically: true, encoding: .utf8)
        let cc = try TestSupport.run([compiler, "-shared", "-fPIC", "-o", library.path, source.path, "-ldl"])
        XCTAssertEqual(cc.status, 0, cc.stderr)
        for args in [["count"], ["count", "--by", "state"], ["count", "--conntrack"], ["top", "--iterations", "1"]] {
            let r = try TestSupport.wstune(args, environment: ["LD_PRELOAD": library.path])
            XCTAssertEqual(r.status, 2, "\(args): \(r.stdout) \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("netlink is not available"), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
        }
    }

    func testPrometheusCarriesTheSameNumbersAsJSON() throws {
        let args = ["count", "--port", "\(CountSocketTests.portA)", "--by", "state"]
        let report = try json(args)
        let text = try wstune(args + ["--prometheus"]).stdout
        let byState = try XCTUnwrap(report["byState"] as? [String: Int])
        var typed = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                typed.insert(String(line.split(separator: " ")[2]))
                continue
            }
            if line.hasPrefix("#") { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            XCTAssertTrue(typed.contains(name), "sample before its TYPE: \(line)")
            XCTAssertNotNil(Double(line.split(separator: " ").last!), "value: \(line)")
        }
        for (state, n) in byState {
            XCTAssertTrue(
                text.contains(
                    "wstune_sockets{ports=\"\(CountSocketTests.portA)\",side=\"local\",state=\"\(state)\"} \(n)\n"),
                state)
        }
    }
}
