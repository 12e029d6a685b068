import Foundation
import XCTest

/// The real engines (Debian `prometheus`, `prometheus-node-exporter`) on free loopback ports with their own temp
/// data dirs: Prometheus scrapes serve's /metrics and node_exporter's textfile collector (fed by
/// `wstune count --prometheus --output`), and its HTTP API returns the connection count `ss` shows for the port.
final class PrometheusScrapeTests: XCTestCase {
    /// A background process started by the test, stopped by its pid.
    final class Daemon {
        let process = Process()
        let log: URL
        init(_ args: [String], log: URL) throws {
            self.log = log
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let h = try FileHandle(forWritingTo: log)
            process.executableURL = URL(fileURLWithPath: args[0])
            process.arguments = Array(args.dropFirst())
            process.standardOutput = h
            process.standardError = h
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    /// GET on loopback with curl (an independent HTTP client); nil when nothing answers yet.
    func get(_ url: String) throws -> String? {
        let r = try TestSupport.run(["curl", "-fsS", "--max-time", "3", url])
        return r.status == 0 ? r.stdout : nil
    }

    /// An instant query's single value, or nil while Prometheus has none.
    func query(_ port: Int, _ promql: String) throws -> Double? {
        let q = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
        guard let body = try get("http://127.0.0.1:\(port)/api/v1/query?query=\(q)"),
            let obj = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let data = obj["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
            result.count == 1, let value = result[0]["value"] as? [Any], let text = value.last as? String
        else { return nil }
        return Double(text)
    }

    func ssEstablished(port: Int) throws -> Int {
        let r = try TestSupport.run(["sh", "-c", "ss -Htn state established '( sport = :\(port) )' | wc -l"])
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func testPrometheusStoresWhatSsCounts() throws {
        for tool in ["/usr/bin/prometheus", "/usr/bin/prometheus-node-exporter"] {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                XCTFail(
                    "\(tool) missing: scripts/setup installs the Debian packages prometheus and prometheus-node-exporter"
                )
                return
            }
        }
        let dir = try TestSupport.temporaryDirectory("wst-16-prom")
        defer { try? FileManager.default.removeItem(at: dir) }
        let textfiles = dir.appendingPathComponent("textfile")
        try FileManager.default.createDirectory(at: textfiles, withIntermediateDirectories: true)

        // The reference server with 30 held connections from wstune load (bounded: 30 connections, 60 s).
        let serve = try ServeProcess([])
        defer { serve.stop() }
        let load = try Daemon(
            [
                TestSupport.wstuneBinary, "load", "ws://127.0.0.1:\(serve.port)/ws", "--connections", "30",
                "--hold", "60",
            ], log: dir.appendingPathComponent("load.log"))
        defer { load.stop() }
        var deadline = Date().addingTimeInterval(20)
        while try ssEstablished(port: serve.port) < 30 && Date() < deadline { usleep(100_000) }
        XCTAssertEqual(try ssEstablished(port: serve.port), 30, load.output)

        // The textfile, written the way the rendered service writes it.
        let prom = textfiles.appendingPathComponent("wstune.prom").path
        let count = try TestSupport.wstune([
            "count", "--prometheus", "--state", "all", "--port", "\(serve.port)", "--output", prom,
        ])
        XCTAssertEqual(count.status, 0, count.stderr)
        let ssAtWrite = try ssEstablished(port: serve.port)

        let nodePort = try ServeProcess.freePort(), promPort = try ServeProcess.freePort()
        let node = try Daemon(
            [
                "/usr/bin/prometheus-node-exporter", "--web.listen-address=127.0.0.1:\(nodePort)",
                "--collector.disable-defaults", "--collector.textfile",
                "--collector.textfile.directory=\(textfiles.path)",
            ], log: dir.appendingPathComponent("node.log"))
        defer { node.stop() }
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: node
                static_configs: [{ targets: ["127.0.0.1:\(nodePort)"] }]
              - job_name: wstune-serve
                static_configs: [{ targets: ["127.0.0.1:\(serve.port)"] }]
            """
        let configPath = dir.appendingPathComponent("prometheus.yml")
        try config.write(to: configPath, atomically: true, encoding: .utf8)
        let check = try TestSupport.run(["promtool", "check", "config", configPath.path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        let prometheus = try Daemon(
            [
                "/usr/bin/prometheus", "--config.file=\(configPath.path)",
                "--storage.tsdb.path=\(dir.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(promPort)",
            ], log: dir.appendingPathComponent("prometheus.log"))
        defer { prometheus.stop() }

        let fromTextfile = "wstune_sockets_established_by_port{job=\"node\",port=\"\(serve.port)\"}"
        let fromServe = "wstune_connections_active{job=\"wstune-serve\"}"
        var stored: Double?, active: Double?
        deadline = Date().addingTimeInterval(60)
        while (stored == nil || active != 30) && Date() < deadline {
            stored = try query(promPort, fromTextfile)
            active = try query(promPort, fromServe)
            if stored == nil || active != 30 { usleep(500_000) }
        }
        let ssNow = try ssEstablished(port: serve.port)
        print(
            "prometheus \(fromTextfile) = \(stored.map { String($0) } ?? "none"); \(fromServe) = \(active.map { String($0) } ?? "none"); ss at the textfile write = \(ssAtWrite), ss now = \(ssNow)"
        )
        XCTAssertEqual(
            stored, Double(ssAtWrite),
            "Prometheus stores the count ss showed when the textfile was written\n\(prometheus.output.suffix(2000))\n\(node.output.suffix(1000))"
        )
        XCTAssertEqual(active, Double(ssNow), "serve's own gauge as scraped equals ss now")
        XCTAssertEqual(ssNow, 30)
        // node_exporter read the file without errors.
        XCTAssertEqual(try query(promPort, "node_textfile_scrape_error{job=\"node\"}"), 0)
    }
}
