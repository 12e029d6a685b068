import XCTest

@testable import ProxyConfig

/// The nginx tokenizer against nginx's own rules (ngx_conf_read_token), each checked with nginx -t 1.22:
/// CR LF reads like LF, `}` inside a word is a word character, a closing quote needs a separator after it.
final class NginxTokenizerTests: XCTestCase {
    func testCRLFAndLFGiveTheSameDirectivesAndLines() throws {
        let lf = "# first\nworker_processes 2;\nevents {\n  worker_connections 10; # c\n}\n"
        let a = try NginxParser.parse(lf, file: "f"),
            b = try NginxParser.parse(lf.replacingOccurrences(of: "\n", with: "\r\n"), file: "f")
        XCTAssertEqual(a, b)
        XCTAssertEqual(b.map(\.name), ["worker_processes", "events"])
        XCTAssertEqual(b[1].first("worker_connections")?.location.line, 4)
    }

    func testQuotesAndBracesFollowNginx() throws {
        XCTAssertEqual(
            try NginxParser.parse("if ($a = \"x\") { return 200; }", file: "f").first?.args, ["($a", "=", "x", ")"])
        XCTAssertEqual(try NginxParser.parse("set $a ${b}c;", file: "f").first?.args, ["$a", "${b}c"])
        // nginx -t: 'unexpected end of file' — "1}" is one word, so the } closes nothing.
        XCTAssertThrowsError(try NginxParser.parse("events { }\nworker_processes 1}\n", file: "f"))
        for text in ["a \"b\"c;", "a 'b'}", "a \"b\"#c;"] {
            XCTAssertThrowsError(try NginxParser.parse(text, file: "f"), text) { e in
                XCTAssertTrue("\(e)".contains("after a quoted string"), "\(e)")
            }
        }
        XCTAssertThrowsError(try NginxParser.parse("\u{FEFF}events {}", file: "f")) { e in
            XCTAssertEqual((e as? ConfigParseError)?.location.line, 1)
        }
    }

    func testNestingIsCappedWithTheLineAndCountsTheIncludingDepth() throws {
        let text = String(repeating: "a {\n", count: 150) + String(repeating: "}\n", count: 150)
        XCTAssertThrowsError(try NginxParser.parse(text, file: "f")) { e in
            XCTAssertEqual((e as? ConfigParseError)?.location.line, 101, "\(e)")
        }
        XCTAssertNoThrow(try NginxParser.parse("a { b { } }", file: "f", depth: 98))
        XCTAssertThrowsError(try NginxParser.parse("a { b { } }", file: "f", depth: 99))
    }

    func testLuaBlockBodiesUseLuaLexing() throws {
        let text = """
            a_by_lua_block {
                local s = "}" .. '{' .. [[}]] .. [=[ ]] } ]=]
                -- }
                --[==[ } ]] } ]==]
                if x then y() end
            }
            next 1;
            """
        let d = try NginxParser.parse(text, file: "f")
        XCTAssertEqual(d.map(\.name), ["a_by_lua_block", "next"])
        XCTAssertEqual(d[0].block, [])
        XCTAssertEqual(d[1].location.line, 7)
        XCTAssertThrowsError(try NginxParser.parse("x_by_lua_block { local s = [[ }", file: "f"))
        // Not a Lua directive: the same body is nginx syntax and fails.
        XCTAssertThrowsError(try NginxParser.parse("location / { local s = \"}\" }", file: "f"))
    }

    func testDumpSplitterReadsCRLFMarkersAndKeepsTheFirstCopy() throws {
        let dump =
            "nginx: ok\r\n# configuration file /a.conf:\r\nevents {}\r\n# configuration file /b.conf:\r\nx 1;\r\n# configuration file /a.conf:\r\nother;\r\n"
        let d = try NginxDump.split(dump)
        XCTAssertEqual(d.order, ["/a.conf", "/b.conf"])
        XCTAssertEqual(
            try NginxParser.parse(try XCTUnwrap(d.files["/a.conf"]), file: "/a.conf").map(\.name), ["events"])
        XCTAssertThrowsError(try NginxDump.split("events {}\n"))
    }
}
