import XCTest

@testable import Reference

final class ServerConfigurationTests: XCTestCase {
    func testDefaultsAreValid() {
        XCTAssertEqual(ServerConfiguration().problems(), [])
    }

    func testEachBadValueIsNamed() {
        var c = ServerConfiguration()
        c.port = 70000
        c.maxConnections = 0
        c.sendQueueBytes = 10
        c.maxMessageBytes = 10
        let problems = c.problems()
        XCTAssertEqual(problems.count, 4, "\(problems)")
        XCTAssertTrue(problems[0].hasPrefix("--port 70000"))
        XCTAssertTrue(problems.contains { $0.hasPrefix("--max-connections 0") })
        XCTAssertTrue(problems.contains { $0.hasPrefix("--send-queue 10") })
        XCTAssertTrue(problems.contains { $0.hasPrefix("--max-message 10") })
    }

    func testEndpointsAndQueryStrings() {
        XCTAssertEqual(WebSocketEndpoint(path: "/ws"), .echo)
        XCTAssertEqual(WebSocketEndpoint(path: "/ws?token=1"), .echo)
        XCTAssertEqual(WebSocketEndpoint(path: "/ws/broadcast"), .broadcast)
        XCTAssertNil(WebSocketEndpoint(path: "/ws/"))
        XCTAssertNil(WebSocketEndpoint(path: "/other"))
    }

    func testPrometheusTextHasHelpTypeAndSamples() {
        var counters = ServerCounters()
        counters.handshakes = 7
        counters.refused[.origin] = 2
        counters.closesSent[1009] = 1
        let text = ServerMetricsSnapshot(
            counters: counters, draining: true, maxConnections: 10, residentMemoryBytes: 4096,
            openFileDescriptors: 5
        ).prometheusText()
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("wstune_handshakes_total 7"))
        XCTAssertTrue(lines.contains("wstune_handshakes_refused_total{reason=\"origin\"} 2"))
        XCTAssertTrue(lines.contains("wstune_handshakes_refused_total{reason=\"capacity\"} 0"))
        XCTAssertTrue(lines.contains("wstune_close_frames_sent_total{code=\"1009\"} 1"))
        XCTAssertTrue(lines.contains("wstune_draining 1"))
        XCTAssertTrue(lines.contains("process_resident_memory_bytes 4096"))
        // Every sample's metric has a HELP and a TYPE line before it.
        var declared = Set<String>()
        for line in lines {
            if line.hasPrefix("# TYPE ") { declared.insert(String(line.split(separator: " ")[2])) }
            if !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                XCTAssertTrue(declared.contains(name), line)
            }
        }
    }

    func testStatmParsing() {
        XCTAssertEqual(ProcessStats.parseStatmResidentBytes("1000 250 30 1 0 100 0\n", pageSize: 4096), 1_024_000)
        XCTAssertNil(ProcessStats.parseStatmResidentBytes("garbage", pageSize: 4096))
    }
}
