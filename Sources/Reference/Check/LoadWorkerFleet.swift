import Foundation

/// The `load --worker` processes of a check: starts them, keeps each one's latest progress and final report
/// (from its JSON lines), sends commands, and sums progress across them.
final class LoadWorkerFleet: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: [Int: LoadProgress] = [:]
    private var reports: [Int: LoadReport] = [:]
    private(set) var children: [ChildProcess] = []
    let requested: Int

    /// Event-loop threads of each worker.
    let threadsPerWorker: Int
    /// Each worker's share of the connections, which is its share of a rate the coordinator sets.
    private let shares: [Double]

    /// - Parameter startRatePerSecond: the total rate to start at (nil: the plan's); see `RampDriver`.
    init(
        binary: String, url: String, plan: CheckPlan, options: CheckOptions, startRatePerSecond: Double? = nil
    ) throws {
        let all = plan.workers.reduce(0) { $0 + $1.connections }
        requested = all
        shares = plan.workers.map { Double($0.connections) / Double(max(all, 1)) }
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / max(plan.workers.count, 1))
        threadsPerWorker = threads
        // Enough broadcast senders that every server process behind the port likely gets one in round 1.
        let senders = max(1, (8 * plan.serverProcesses + plan.workers.count - 1) / plan.workers.count)
        for (i, w) in plan.workers.enumerated() {
            let rate = startRatePerSecond.map { $0 * shares[i] } ?? w.ratePerSecond
            var args = [
                binary, "load", url, "--worker", "--connections", "\(w.connections)",
                "--rate", "\(rate)", "--hold", "86400", "--threads", "\(threads)",
                "--connect-timeout", "\(options.connectTimeoutSeconds)",
                "--handshake-timeout", "\(options.handshakeTimeoutSeconds)",
                "--broadcast-senders", "\(senders)",
            ]
            if !w.sources.isEmpty { args += ["--source", w.sources.joined(separator: ",")] }
            let child = try ChildProcess(args) { [weak self] line in self?.accept(worker: i, line: line) }
            children.append(child)
        }
    }

    private func accept(worker: Int, line: Data) {
        guard let decoded = LoadWorkerLine.decode(line) else { return }
        lock.lock()
        defer { lock.unlock() }
        if let p = decoded.progress { latest[worker] = p }
        if let r = decoded.report { reports[worker] = r }
    }

    /// Sum of the workers' latest progress.
    func total() -> LoadProgress {
        lock.lock()
        defer { lock.unlock() }
        var t = LoadProgress(
            phase: .ramp, elapsedSeconds: 0, requested: requested, started: 0, connected: 0,
            open: 0, failed: 0, handshakesPerSecond: 0)
        for p in latest.values {
            t.elapsedSeconds = max(t.elapsedSeconds, p.elapsedSeconds)
            t.started += p.started
            t.connected += p.connected
            t.open += p.open
            t.failed += p.failed
            t.handshakesPerSecond += p.handshakesPerSecond
            if let f = p.inFlight { t.inFlight = (t.inFlight ?? 0) + f }
            if let w = p.handshakeWindow { t.handshakeWindow = Self.combine(t.handshakeWindow, w) }
        }
        return t
    }

    /// The workers' last-second windows together: counts add, each percentile is the largest worker's (no
    /// histograms cross the pipe every tick, so this errs high, towards backing off).
    static func combine(_ a: LatencySummary?, _ b: LatencySummary) -> LatencySummary {
        guard let a, a.count > 0 else { return b }
        guard b.count > 0 else { return a }
        return LatencySummary(
            count: a.count + b.count, p50Micros: max(a.p50Micros, b.p50Micros),
            p90Micros: max(a.p90Micros, b.p90Micros), p99Micros: max(a.p99Micros, b.p99Micros),
            maxMicros: max(a.maxMicros, b.maxMicros))
    }

    /// Tells every worker its share of `totalPerSecond` (check's closed-loop ramp).
    func setRate(_ totalPerSecond: Double) {
        for (i, c) in children.enumerated() where i < shares.count {
            c.send(String(format: "rate %.3f", totalPerSecond * shares[i]))
        }
    }

    /// True when every worker has finished its ramp (holding, or exited).
    var rampDone: Bool {
        lock.lock()
        defer { lock.unlock() }
        for (i, c) in children.enumerated() {
            if !c.isRunning { continue }
            guard let p = latest[i], p.phase != .ramp && p.phase != .settle else { return false }
        }
        return true
    }

    var allExited: Bool { children.allSatisfy { !$0.isRunning } }

    func broadcastAndStop() {
        for c in children {
            c.send("broadcast")
            c.send("stop")
        }
    }

    /// Waits (bounded) for every worker to exit; kills stragglers. Returns their reports.
    func finish(waitSeconds: Double) -> [LoadReport] {
        let deadline = Date().addingTimeInterval(waitSeconds)
        for c in children { c.wait(seconds: max(deadline.timeIntervalSinceNow, 0.1)) }
        for c in children where c.isRunning { c.stop(graceSeconds: 2) }
        lock.lock()
        defer { lock.unlock() }
        return reports.keys.sorted().compactMap { reports[$0] }
    }

    func stopAll() {
        for c in children { c.stop(graceSeconds: 2) }
    }

    var errors: [String] {
        children.compactMap { c in
            guard let s = c.exitStatus, s > 1 else { return nil }
            return "worker \(c.pid) exited \(s): \(c.stderrText.suffix(400))"
        }
    }
}
