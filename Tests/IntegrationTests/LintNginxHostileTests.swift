import Foundation
import XCTest

/// nginx configs nobody here wrote: CR LF, values near Int.max, deep nesting, include cycles and fan-out,
/// FIFOs, Lua blocks, a byte order mark. The real `nginx -t` is the oracle for what nginx accepts; every run of
/// wstune must end with a documented exit code within its time bound.
final class LintNginxHostileTests: XCTestCase {
    private var dir: URL!
    private var prefix: String!

    override func setUpWithError() throws {
        try ProxyTestSupport.requireTool("nginx")
        dir = try TestSupport.temporaryDirectory("wst-13b-ngx")
        prefix = try LintTestSupport.nginxPrefix(in: dir, "p")
    }

    override func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
        super.tearDown()
    }

    private func conf(_ name: String, _ text: String) throws -> String {
        let path = prefix + "/" + name
        try LintHostileSupport.write(text, to: path)
        return path
    }

    private static let capable = """
        # a comment first: with CR LF it must end at the line end
        worker_processes 4;
        worker_rlimit_nofile 70000;
        worker_shutdown_timeout 60s;
        events {
            worker_connections 60000;
        }
        http {
            access_log off;
        }

        """

    func testCRLFConfigLintsLikeTheLFOneAlsoFromNginxDashT() throws {
        let lf = try conf("lf.conf", Self.capable)
        let crlf = try conf("crlf.conf", Self.capable.replacingOccurrences(of: "\n", with: "\r\n"))
        XCTAssertEqual(
            try LintHostileSupport.nginxTest(crlf, prefix: prefix).status, 0, "nginx -t accepts the CR LF file")
        let args = ["--json", "--connections", "10000", "--profile", "dev"]
        let a = try LintHostileSupport.lint(["nginx", lf] + args),
            b = try LintHostileSupport.lint(["nginx", crlf] + args)
        let ra = try LintHostileSupport.raised(a.stdout), rb = try LintHostileSupport.raised(b.stdout)
        XCTAssertNil(ra["nginx.worker-capacity"], a.stdout)
        XCTAssertEqual(Set(ra.keys), Set(rb.keys), b.stdout)
        // The same through `nginx -T` on standard input (nginx prints the file's CRs as they are).
        let dump = try TestSupport.run([
            "nginx", "-T", "-q", "-p", prefix + "/", "-e", "stderr", "-c", crlf, "-g", "pid \(prefix!)/nginx.pid;",
        ])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        XCTAssertTrue(dump.stdout.contains("\r\n"))
        let c = try LintHostileSupport.lint(
            ["nginx", "-"] + args, input: dump.stdout.replacingOccurrences(of: "\n", with: "\r\n"))
        XCTAssertEqual(Set(try LintHostileSupport.raised(c.stdout).keys), Set(ra.keys), c.stdout)
    }

    func testWorkerValuesNearIntMaxAreJudgedNotTrapped() throws {
        let big = try conf(
            "big.conf",
            "worker_processes 9223372036854775807;\nevents {\n    worker_connections 9223372036854775807;\n}\n")
        XCTAssertEqual(try LintHostileSupport.nginxTest(big, prefix: prefix).status, 0, "nginx -t accepts Int.max here")
        let r = try LintHostileSupport.lint(["nginx", big, "--json", "--connections", "10000", "--profile", "dev"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(try LintHostileSupport.raised(r.stdout)["nginx.rlimit-missing"], ["\(big):3"], r.stdout)
        XCTAssertNil(try LintHostileSupport.raised(r.stdout)["nginx.worker-capacity"], r.stdout)

        let huge = try conf("huge.conf", "events {}\nworker_processes 99999999999999999999;\n")
        XCTAssertNotEqual(try LintHostileSupport.nginxTest(huge, prefix: prefix).status, 0, "nginx -t refuses it")
        let h = try LintHostileSupport.lint(["nginx", huge, "--json", "--connections", "10000", "--profile", "dev"])
        XCTAssertEqual(h.status, 1, h.stderr)
        XCTAssertEqual(try LintHostileSupport.raised(h.stdout)["nginx.worker-capacity"], ["\(huge):2"], h.stdout)

        let zero = try conf("zero.conf", "worker_processes 0;\nevents {}\n")
        XCTAssertEqual(try LintHostileSupport.nginxTest(zero, prefix: prefix).status, 0)
        let z = try LintHostileSupport.lint(["nginx", zero, "--json", "--connections", "10000", "--profile", "dev"])
        XCTAssertEqual(try LintHostileSupport.raised(z.stdout)["nginx.worker-capacity"], ["\(zero):1"], z.stdout)
    }

    func testBlocksNested200000DeepGiveAnErrorNamingTheLine() throws {
        let depth = 200_000
        let deep = try conf(
            "deep.conf",
            "events {}\n" + String(repeating: "location / {\n", count: depth) + String(repeating: "}\n", count: depth))
        let r = try LintHostileSupport.lint(["nginx", deep, "--json"], timeoutSeconds: 30)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(try LintHostileSupport.raised(r.stdout)["config.parse"], ["\(deep):102"], r.stdout)
        XCTAssertTrue(r.stdout.contains("nest deeper than 100"), r.stdout)
    }

    func testAFileIncludingItselfTwiceIsACycleNotAHang() throws {
        let main = try conf("self.conf", "events {}\ninclude self.conf;\ninclude self.conf;\n")
        let r = try LintHostileSupport.lint(["nginx", main, "--json"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(try LintHostileSupport.raised(r.stdout)["config.parse"], ["\(main):2", "\(main):3"], r.stdout)
        XCTAssertTrue(r.stdout.contains("includes itself"), r.stdout)
    }

    func testACycleThroughASymlinkIsFoundByDeviceAndInode() throws {
        let main = try conf("real.conf", "events {}\ninclude alias.conf;\n")
        XCTAssertEqual(symlink(main, prefix + "/alias.conf"), 0)
        let r = try LintHostileSupport.lint(["nginx", main, "--json"])
        XCTAssertEqual(try LintHostileSupport.raised(r.stdout)["config.parse"], ["\(main):2"], r.stdout)
        XCTAssertTrue(r.stdout.contains("\(prefix!)/alias.conf includes itself"), r.stdout)
    }

    func testThreeFilesEachIncludingStarConfFinishOnDiskAndFromNginxDashT() throws {
        var dump = ""
        for n in ["a", "b", "c"] {
            let text = (n == "a" ? "events {}\n" : "") + "include *.conf;\n"
            _ = try conf("fan/\(n).conf", text)
            dump += "# configuration file \(prefix!)/fan/\(n).conf:\n\(text)\n"
        }
        let r = try LintHostileSupport.lint(["nginx", prefix + "/fan/a.conf", "--json"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stdout.contains("includes itself"), r.stdout)
        let s = try LintHostileSupport.lint(
            ["nginx", "-", "--json"], input: "nginx: the configuration file is ok\n" + dump)
        XCTAssertEqual(s.status, 1, s.stderr)
        XCTAssertTrue(s.stdout.contains("includes itself"), s.stdout)
    }

    func testDumpFanOutOfManyFilesIsCappedNotExponential() throws {
        // 12 files each including all: without a cap the paths grow as 12! (nginx -T text needs no files on disk).
        let names = (0..<12).map { "/etc/nginx/f\($0).conf" }
        let dump = names.enumerated().map { i, n in
            "# configuration file \(n):\n\(i == 0 ? "events {}\n" : "")include /etc/nginx/*.conf;\n"
        }
        .joined()
        let r = try LintHostileSupport.lint(["nginx", "-", "--json"], input: dump, timeoutSeconds: 30)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stdout.contains("included files"), r.stdout)
    }

    func testAFIFOAsAnIncludeIsRefusedByNameNotWaitedOn() throws {
        let main = try conf("fifo.conf", "events {}\nhttp {\n    include fifo.d/*.conf;\n}\n")
        try FileManager.default.createDirectory(atPath: prefix + "/fifo.d", withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(prefix + "/fifo.d/pipe.conf", 0o600), 0)
        let r = try LintHostileSupport.lint(["nginx", main, "--json"], timeoutSeconds: 15)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stdout.contains("pipe.conf"), r.stdout)
        XCTAssertTrue(r.stdout.contains("not a regular file"), r.stdout)
    }

    func testLuaBlockBodiesAreSkippedByLuaLexing() throws {
        // lua-nginx-module lexes these bodies as Lua: braces in strings, tables, comments and long brackets, and
        // statements without ";", are not nginx syntax. The oracle: nginx -t with Debian's Lua module loaded.
        let modules = "/usr/lib/nginx/modules/ngx_http_lua_module.so"
        guard FileManager.default.fileExists(atPath: modules) else {
            throw XCTSkip("libnginx-mod-http-lua not installed (scripts/test installs it)")
        }
        let lua = """
            load_module /usr/lib/nginx/modules/ndk_http_module.so;
            load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
            worker_shutdown_timeout 60s;
            events {}
            http {
                init_by_lua_block {
                    local t = { a = "}", b = '{', c = [[ } ]], d = [==[ ]] } ]==] }
                    -- a comment with } in it
                    --[[ a long
                         comment } ]]
                    print("x")
                }
                server {
                    listen 127.0.0.1:1;
                    location /ws {
                        content_by_lua_block { ngx.say("}") }
                        proxy_read_timeout 10s;
                    }
                }
            }

            """
        let f = try conf("lua.conf", lua)
        let t = try LintHostileSupport.nginxTest(f, prefix: prefix)
        XCTAssertEqual(t.status, 0, "nginx -t with the Lua module accepts it: \(t.stderr)")
        let r = try LintHostileSupport.lint(["nginx", f, "--json"])
        XCTAssertNil(try LintHostileSupport.raised(r.stdout)["config.parse"], r.stdout)
        // An unterminated long string: the Lua module refuses it, and so does lint, at the block's line.
        let bad = try conf(
            "lua-bad.conf", lua.replacingOccurrences(of: "print(\"x\")", with: "local s = [[ never closed"))
        XCTAssertNotEqual(try LintHostileSupport.nginxTest(bad, prefix: prefix).status, 0)
        let b = try LintHostileSupport.lint(["nginx", bad, "--json"])
        XCTAssertNotNil(try LintHostileSupport.raised(b.stdout)["config.parse"], b.stdout)
    }

    func testByteOrderMarkAndTextAfterAQuoteAreRefusedLikeNginxDoes() throws {
        for (name, text, line) in [
            ("bom.conf", "\u{FEFF}events {}\n", 1), ("quote.conf", "events {}\nworker_processes \"1\"-x;\n", 2),
            ("squote.conf", "events {}\nerror_log 'x'y;\n", 2),
        ] {
            let f = try conf(name, text)
            XCTAssertNotEqual(
                try LintHostileSupport.nginxTest(f, prefix: prefix).status, 0, "\(name): nginx -t refuses it")
            let r = try LintHostileSupport.lint(["nginx", f, "--json"])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertEqual(
                try LintHostileSupport.raised(r.stdout)["config.parse"], ["\(f):\(line)"], "\(name): \(r.stdout)")
        }
    }
}

/// `lint nginx -` when standard input is closed or a directory: a clear error and exit 2, not a trap.
final class LintNginxStandardInputTests: XCTestCase {
    func testUnreadableStandardInputIsExit2() throws {
        for (redirect, words) in [("<&-", "cannot read"), ("< /", "cannot read")] {
            let r = try TestSupport.run(
                ["sh", "-c", "exec \"$0\" lint nginx - \(redirect)", TestSupport.wstuneBinary], timeoutSeconds: 20)
            XCTAssertEqual(r.status, 2, "\(redirect): \(r.stderr.prefix(300))")
            XCTAssertTrue(r.stderr.contains("standard input: \(words)"), "\(redirect): \(r.stderr.prefix(300))")
        }
    }
}
