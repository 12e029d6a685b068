import Foundation
import HostFacts
import XCTest

@testable import ProxyConfig

final class NginxParserTests: TemporaryTreeTestCase {

    func testParsesBlocksQuotesCommentsAndLines() throws {
        let text =
            "events {\n  worker_connections 1024; # comment ; {\n}\nhttp {\n  map $http_upgrade $c {\n    default upgrade;\n    ''  '';\n  }\n  log_format x '$remote_addr \"q\" ${host}';\n}\n"
        let d = try NginxParser.parse(text, file: "t.conf")
        XCTAssertEqual(d.map(\.name), ["events", "http"])
        XCTAssertEqual(d[0].first("worker_connections")?.args, ["1024"])
        XCTAssertEqual(d[0].first("worker_connections")?.location, SourceLocation(file: "t.conf", line: 2))
        let map = try XCTUnwrap(d[1].first("map"))
        XCTAssertEqual(map.args, ["$http_upgrade", "$c"])
        XCTAssertEqual(map.block?.map(\.name), ["default", ""])
        XCTAssertEqual(map.block?[1].args, [""])
        XCTAssertEqual(d[1].first("log_format")?.args, ["x", "$remote_addr \"q\" ${host}"])
        XCTAssertEqual(d[1].first("log_format")?.location.line, 9)
    }

    func testSyntaxErrorsNameTheLine() {
        for (text, line) in [("http {\n  server {\n", 2), ("a b\n}\n", 2), ("a 'b;\n", 1), ("}\n", 1)] {
            XCTAssertThrowsError(try NginxParser.parse(text, file: "bad.conf"), text) { error in
                XCTAssertEqual((error as? ConfigParseError)?.location.line, line, "\(text): \(error)")
            }
        }
    }

    func testIncludesFollowGlobsInNameOrderAndABrokenFileStopsOnlyItself() throws {
        let d = try tree([
            "etc/nginx/nginx.conf":
                "worker_processes 2;\nevents {}\nhttp {\n    include conf.d/*.conf;\n    include /etc/nginx/extra.conf;\n}\n",
            "etc/nginx/conf.d/b.conf": "server { listen 82; }\n",
            "etc/nginx/conf.d/a.conf": "server { listen 81; }\n",
            "etc/nginx/conf.d/c.conf": "server {\n  listen 83\n",
            "etc/nginx/extra.conf": "upstream u { server 127.0.0.1:1; }\n",
        ])
        let config = try NginxConfigLoader(root: HostRoot(d.path)).load("/etc/nginx/nginx.conf")
        let http = try XCTUnwrap(config.httpBlocks.first)
        XCTAssertEqual(http.children("server").map { $0.first("listen")?.args ?? [] }, [["81"], ["82"]])
        XCTAssertEqual(
            http.children("server").first?.location, SourceLocation(file: d.path + "/etc/nginx/conf.d/a.conf", line: 1))
        XCTAssertEqual(http.children("upstream").count, 1)
        XCTAssertEqual(config.errors.count, 1)
        XCTAssertEqual(config.errors.first?.location.file, d.path + "/etc/nginx/conf.d/c.conf")
        XCTAssertEqual(config.files.count, 5)
    }

    func testReadsNginxDashTOutputOfTheRealNginx() throws {
        // The oracle: the installed nginx flattens a config with -T; our loader must rebuild the same tree.
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            throw XCTSkip("nginx not installed")
        }
        let d = try tree([
            "nginx.conf":
                "pid PREFIX/nginx.pid;\nevents {}\nhttp {\n    access_log off;\n    client_body_temp_path PREFIX/b; proxy_temp_path PREFIX/p; fastcgi_temp_path PREFIX/f; uwsgi_temp_path PREFIX/u; scgi_temp_path PREFIX/s;\n    include sites/*.conf;\n}\n",
            "sites/ws.conf":
                "server {\n    listen 127.0.0.1:1;\n    location /ws {\n        proxy_pass http://127.0.0.1:2;\n        proxy_http_version 1.1;\n    }\n}\n",
        ])
        let main = d.appendingPathComponent("nginx.conf")
        try String(contentsOf: main, encoding: .utf8).replacingOccurrences(of: "PREFIX", with: d.path)
            .write(to: main, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        p.arguments = ["-T", "-q", "-p", d.path + "/", "-e", "stderr", "-c", main.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let dump = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertTrue(NginxConfigLoader.isDump(dump), dump)
        let fromDump = try NginxConfigLoader.load(dump: dump)
        let fromFiles = try NginxConfigLoader().load(main.path)
        XCTAssertEqual(fromDump.errors, [])
        XCTAssertEqual(fromDump.directives, fromFiles.directives)
        XCTAssertEqual(
            fromDump.httpBlocks.first?.first("server")?.first("location")?.location,
            SourceLocation(file: d.path + "/sites/ws.conf", line: 3))
    }
}

final class LintParseErrorTests: XCTestCase {
    func testABrokenMainFileReportsOnlyTheParseErrorAndABrokenIncludeOnlyItself() throws {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wst-lintparse-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(
            at: d.appendingPathComponent("conf.d"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: d) }
        try "events {\n".write(to: d.appendingPathComponent("broken.conf"), atomically: true, encoding: .utf8)
        try "worker_processes 1;\nevents { worker_connections 64; }\nhttp { include conf.d/*.conf; }\n"
            .write(to: d.appendingPathComponent("main.conf"), atomically: true, encoding: .utf8)
        try "server {\n  location /ws { proxy_pass http://x\n}\n".write(
            to: d.appendingPathComponent("conf.d/bad.conf"), atomically: true, encoding: .utf8)
        let req = LintFixtureTests.requirement
        let broken = Lint.run(nginx: try NginxConfigLoader().load(d.appendingPathComponent("broken.conf").path), req)
        XCTAssertEqual(broken.findings.map(\.id), [Lint.parseErrorID])
        XCTAssertEqual(broken.findings.first?.location, d.appendingPathComponent("broken.conf").path + ":1")
        let partly = Lint.run(nginx: try NginxConfigLoader().load(d.appendingPathComponent("main.conf").path), req)
        XCTAssertEqual(
            partly.findings.filter { $0.id == Lint.parseErrorID }.map(\.location),
            // nginx -t names the line of the "}" that arrives before the missing ";" (line 3).
            [d.appendingPathComponent("conf.d/bad.conf").path + ":3"])
        XCTAssertEqual(
            partly.findings.first { $0.id == "nginx.worker-capacity" }?.severity, .fail, "the main file is still judged"
        )
    }
}
