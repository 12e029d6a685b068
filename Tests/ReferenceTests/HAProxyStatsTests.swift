import XCTest

@testable import Reference

/// The parsers of HAProxy's stats socket answers, on text in the shape HAProxy 2.6.12 (Debian 12) writes.
final class HAProxyStatsTests: XCTestCase {
    func testShowInfoParsesTypedFieldsWithCRLFAndUnknownFields() {
        let text =
            "Name: HAProxy\r\nVersion: 2.6.12-1+deb12u4\r\nUlimit-n: 229\r\nMaxsock: 229\r\n"
            + "Maxconn: 100\r\nHard_maxconn: 100\r\nCurrConns: 7\r\nCumConns: 31\r\nSomethingNew: x: y\r\n\r\n"
        let info = HAProxyInfo(parsing: text)
        XCTAssertEqual(info.ulimitN, 229)
        XCTAssertEqual(info.maxsock, 229)
        XCTAssertEqual(info.maxconn, 100)
        XCTAssertEqual(info.hardMaxconn, 100)
        XCTAssertEqual(info.currConns, 7)
        XCTAssertEqual(info.cumConns, 31)
        XCTAssertEqual(info.fields["SomethingNew"], "x: y")
        XCTAssertNil(info.maxconnReached)
    }

    func testShowStatParsesRowsByHeader() {
        let text = """
            # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,newfield
            websocket,FRONTEND,,,200,200,200,300,0,0,0,0,0,,,
            ws_backends,s1,0,0,200,200,,200,0,0,,0,,3,1,
            ws_backends,BACKEND,0,0,200,200,20,200,0,0,0,0,,3,1,zz

            """
        let rows = HAProxyStat.parse(text)
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows[0].proxy, "websocket")
        XCTAssertEqual(rows[0].service, "FRONTEND")
        XCTAssertEqual(rows[0].scur, 200)
        XCTAssertEqual(rows[0].slim, 200)
        XCTAssertNil(rows[0].econ)
        XCTAssertEqual(rows[2].econ, 3)
        XCTAssertEqual(rows[2].eresp, 1)
        XCTAssertEqual(rows[2].fields["newfield"], "zz")
    }

    func testEvidenceNamesMaxconnAndLogErrors() {
        let info = HAProxyInfo(parsing: "Maxconn: 200\nCurrConns: 200\n")
        let stat = HAProxyStat.parse(
            "# pxname,svname,scur,smax,slim,econ\nws,FRONTEND,200,200,200,\nb,BACKEND,0,0,,0\n")
        let log = "[ALERT] accept(): Too many open files\nConnect() failed for backend b: no free ports.\n"
        let e = HAProxyHop.evidence(log: log, info: info, stat: stat)
        XCTAssertEqual(e.activeConnections, 200)
        XCTAssertEqual(e.peakConnections, 200)
        XCTAssertEqual(e.count(.maxconnReached), 1)
        XCTAssertEqual(e.count(.tooManyOpenFiles), 1)
        XCTAssertEqual(e.count(.upstreamAddressNotAvailable), 1)
        let calm = HAProxyInfo(parsing: "Maxconn: 200\nCurrConns: 10\n")
        let quiet = HAProxyHop.evidence(log: "", info: calm, stat: [])
        XCTAssertEqual(quiet.count(.maxconnReached), 0)
    }

    func testAdaptAddsStatsSocketLogAndOverridesMaxconn() {
        let config =
            "global\n    maxconn 5000\n    nbthread 2\n\ndefaults\n    mode http\n\nfrontend websocket\n"
            + "    maxconn 5000\n"
        let out = HAProxyHop.adapt(config, maxconn: 200, statsSocket: "/tmp/x/stats.sock")
        XCTAssertTrue(out.contains("    stats socket /tmp/x/stats.sock level admin"))
        XCTAssertTrue(out.contains("    log stderr format raw local0"))
        XCTAssertFalse(out.contains("5000"))
        XCTAssertEqual(HAProxyHop.globalMaxconn(out), 200)
    }
}
