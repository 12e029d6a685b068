import Foundation
import HostFacts

/// A proxy's master process as a hop runs it (nginx and HAProxy alike): the child, every pid of it and its
/// workers seen so far, and a stop that runs once.
final class ProxyProcess: @unchecked Sendable {
    let child: ChildProcess
    private let lock = NSLock()
    private var stopped = false
    private var seen: Set<Int32> = []

    init(_ arguments: [String]) throws { child = try ChildProcess(arguments) }

    /// The master and its workers now (empty once the master is gone); remembered for `stop`.
    func pids() -> [Int32] {
        guard child.isRunning else { return [] }
        let result = [child.pid] + ProcessTree.children(of: child.pid)
        lock.lock()
        seen.formUnion(result)
        lock.unlock()
        return result
    }

    /// Sends the master `signal` (the proxy's graceful stop) and waits `graceSeconds`, then SIGTERM and SIGKILL;
    /// then kills any worker seen earlier that outlived it (`isWorker` judges its /proc cmdline). Only the first
    /// call stops; it returns false for the later ones.
    func stop(signal: Int32, graceSeconds: Double, isWorker: (String) -> Bool) -> Bool {
        lock.lock()
        if stopped {
            lock.unlock()
            return false
        }
        stopped = true
        lock.unlock()
        let known = Set(pids())
        if child.isRunning {
            kill(child.pid, signal)
            if !child.wait(seconds: graceSeconds) { child.stop(graceSeconds: 3) }
        }
        lock.lock()
        let all = seen.union(known)
        lock.unlock()
        for pid in all where pid != child.pid {
            if let cmd = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8), isWorker(cmd) {
                kill(pid, SIGKILL)
            }
        }
        return true
    }

    /// Whether something accepts on 127.0.0.1:`port` now (a hop is up once its listener answers).
    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
