import Foundation
import HostFacts
import SocketDiag

/// The reference server processes a check starts: K copies of `wstune serve --reuse-port` on one port, each
/// with its soft and hard nofile lowered before exec (prlimit(1) sets them for the command it runs, the way a
/// unit's LimitNOFILE= would), and waits (bounded) until all K listen.
final class ServerFleet: @unchecked Sendable {
    let port: Int
    private(set) var children: [ChildProcess] = []

    init(options: CheckOptions, plan: CheckPlan, port: Int) throws {
        self.port = port
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / plan.serverProcesses)
        let words =
            options.serverCommand
            ?? [
                options.wstuneBinary, "serve", "--host", "{host}", "--port", "{port}", "--reuse-port",
                "--threads", "{threads}",
            ]
        let command = words.map {
            $0.replacingOccurrences(of: "{host}", with: options.host)
                .replacingOccurrences(of: "{port}", with: "\(port)")
                .replacingOccurrences(of: "{threads}", with: "\(threads)")
        }
        // setpriv --pdeathsig: the kernel sends SIGTERM to a server whose parent (this check) dies, even by
        // SIGKILL, so no server outlives its check. The check runs servers from its main thread, which lives
        // as long as the process (the death signal follows the thread that forked).
        let orphanGuard =
            FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            ? ["/usr/bin/setpriv", "--pdeathsig", "TERM", "--"] : []
        let limited = ["prlimit", "--nofile=\(plan.serverNofile):\(plan.serverNofile)", "--"] + orphanGuard + command
        for _ in 0..<plan.serverProcesses {
            children.append(try ChildProcess(limited))
        }
    }

    var pids: [Int32] { children.map(\.pid) }

    /// Waits until one socket per child listens on the port, up to `seconds`; throws with the server's stderr if
    /// not. Counted over sock_diag (the LISTEN hash only): with SO_REUSEPORT the port alone would show as soon as
    /// the first child listens, and the kernel would hand that one every early connection.
    func waitListening(seconds: Double) throws {
        let listeners = SocketQuery(ports: [UInt16(clamping: port)], states: [.listen])
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let dead = children.first(where: { !$0.isRunning }) {
                throw CheckError.serverDidNotStart(
                    command: dead.commandLine,
                    detail: "exited \(dead.exitStatus ?? -1): \(dead.stderrText.suffix(600))")
            }
            if try listening(listeners) >= children.count { return }
            usleep(50_000)
        }
        throw CheckError.serverDidNotStart(
            command: children.first?.commandLine ?? "",
            detail: "not listening on port \(port) after \(Int(seconds)) s")
    }

    /// Listening sockets on the port. Where sock_diag is missing (a container without it) HostFacts' listener
    /// table can say only that the port listens, which then counts as every child.
    private func listening(_ query: SocketQuery) throws -> Int {
        do {
            return try SocketCounter.count(query).byState[.listen, default: 0]
        } catch SocketDiagError.netlinkUnavailable {
            return try Listeners.readPorts(root: HostRoot()).contains(port) ? children.count : 0
        }
    }

    /// SIGTERM (the server drains), SIGKILL after the grace period. Bounded.
    func stop() {
        for c in children where c.isRunning { kill(c.pid, SIGTERM) }
        for c in children { c.stop(graceSeconds: 8) }
    }

    var errors: [String] {
        children.compactMap { c in
            let text = c.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : "server \(c.pid): \(text.suffix(600))"
        }
    }
}
