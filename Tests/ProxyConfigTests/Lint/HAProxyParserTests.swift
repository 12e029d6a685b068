import XCTest

@testable import ProxyConfig

final class HAProxyParserTests: XCTestCase {
    func testSectionsAndDefaultsInheritance() {
        let text = """
            global
                maxconn 1000
            defaults base
                mode http
                timeout tunnel 1h
            defaults tcpdefs
                mode tcp
            frontend fe
                bind :80 # comment
                http-request set-header X-Quoted "a b\\" c"
            backend uses_last
                server s 127.0.0.1:1
            backend named from base
                timeout tunnel 2h
            """
        let c = HAProxyConfig.parse(text, file: "h.cfg")
        XCTAssertEqual(c.errors, [])
        XCTAssertEqual(
            c.sections.map(\.label),
            ["global", "defaults base", "defaults tcpdefs", "frontend fe", "backend uses_last", "backend named"])
        let fe = c.sections[3], last = c.sections[4], named = c.sections[5]
        XCTAssertEqual(fe.lines[0].words, ["bind", ":80"])
        XCTAssertEqual(fe.lines[1].words, ["http-request", "set-header", "X-Quoted", "a b\" c"])
        // A proxy inherits the last defaults section before it, unless `from` names one.
        XCTAssertEqual(c.mode(of: last), "tcp")
        XCTAssertNil(c.effective(["timeout", "tunnel"], in: last))
        XCTAssertEqual(c.mode(of: named), "http")
        XCTAssertEqual(c.effective(["timeout", "tunnel"], in: named)?.words, ["timeout", "tunnel", "2h"])
        XCTAssertEqual(c.effective(["timeout", "tunnel"], in: named)?.location.line, 14)
    }

    func testLinesOutsideSectionsAndBadQuotesAreErrorsWithLines() {
        let c = HAProxyConfig.parse("maxconn 5\nglobal\n  log \"unterminated\n  maxconn 10\n", file: "x.cfg")
        XCTAssertEqual(c.errors.map(\.location.line), [1, 3])
        XCTAssertEqual(c.global?.last(["maxconn"])?.words, ["maxconn", "10"])
    }

    func testDurations() {
        XCTAssertEqual(DurationParser.haproxy("90000"), 90)
        XCTAssertEqual(DurationParser.haproxy("1m"), 60)
        XCTAssertEqual(DurationParser.nginx("1m30s"), 90)
        XCTAssertEqual(DurationParser.nginx("75"), 75)
        XCTAssertEqual(DurationParser.systemd("1min 30s"), 90)
        XCTAssertEqual(DurationParser.systemd("infinity"), .infinity)
        XCTAssertNil(DurationParser.nginx("abc"))
    }
}
