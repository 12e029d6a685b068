import Foundation
import HostFacts

/// Reads what the ramp controller needs of the host between two moments: the run queue (/proc/stat
/// procs_running), the cores the host was busy, and the cores the load workers' and the servers' processes used
/// (/proc/PID/stat utime + stime). Best effort: a file that cannot be read leaves its figure nil.
struct CPUMeter {
    struct Reading {
        var runQueue: Double?
        var hostBusyCores: Double?
        var clientCPUCores: Double?
        var serverCPUCores: Double?
    }

    let root: HostRoot
    var clientPIDs: [Int32]
    var serverPIDs: [Int32]
    private var last: (seconds: Double, host: CPUStat?, client: Int, server: Int)?

    init(root: HostRoot, clientPIDs: [Int32], serverPIDs: [Int32]) {
        self.root = root
        self.clientPIDs = clientPIDs
        self.serverPIDs = serverPIDs
    }

    /// The host's core count (/proc/stat cpuN lines), nil without the file.
    func cores() -> Int? { (try? CPUStat.read(root: root))?.cpus }

    /// The run queue now, as the median of a few reads 20 ms apart (one read is noisy).
    func runQueueNow(reads: Int = 5) -> Double? {
        var v: [Int] = []
        for i in 0..<reads {
            if i > 0 { usleep(20_000) }
            if let s = try? CPUStat.read(root: root) { v.append(s.procsRunning) }
        }
        guard !v.isEmpty else { return nil }
        return Double(v.sorted()[v.count / 2])
    }

    mutating func read(elapsedSeconds: Double) -> Reading {
        let host = try? CPUStat.read(root: root)
        let client = ticks(clientPIDs)
        let server = ticks(serverPIDs)
        var r = Reading(runQueue: host.map { Double($0.procsRunning) })
        if let prev = last, elapsedSeconds > prev.seconds {
            let dt = elapsedSeconds - prev.seconds
            let hz = ProcessCPUTime.ticksPerSecond
            r.clientCPUCores = Double(max(client - prev.client, 0)) / hz / dt
            r.serverCPUCores = serverPIDs.isEmpty ? nil : Double(max(server - prev.server, 0)) / hz / dt
            if let a = prev.host, let b = host, b.totalTicks > a.totalTicks {
                // Busy share of all ticks, in cores (the tick counts of /proc/stat are per core summed).
                r.hostBusyCores =
                    Double(b.busyTicks - a.busyTicks) / Double(b.totalTicks - a.totalTicks)
                    * Double(b.cpus)
            }
        }
        last = (elapsedSeconds, host, client, server)
        return r
    }

    private func ticks(_ pids: [Int32]) -> Int {
        pids.reduce(0) { sum, pid in sum + ((try? ProcessCPUTime.read(root: root, pid: pid))?.ticks ?? 0) }
    }
}
