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
}
