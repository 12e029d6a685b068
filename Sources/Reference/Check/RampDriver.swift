import Foundation
import HostFacts

/// Connects `RampController` to a running check: the rate the workers start at, the run-queue baseline, one
/// step per host sample (workers' totals + `CPUMeter`), the "rate N" commands to the workers, and the summary.
/// --fixed-rate and --rate 0 only observe, so their report shows where p50 passed the target too.
struct RampDriver {
    let mode: RampSummary.Mode
    private(set) var controller: RampController
    private var meter: CPUMeter
    let cores: Int

    init(options: CheckOptions, root: HostRoot) {
        mode = options.ratePerSecond <= 0 ? .unpaced : options.fixedRate ? .fixed : .closedLoop
        meter = CPUMeter(root: root, clientPIDs: [], serverPIDs: [])
        cores = meter.cores() ?? max(ProcessInfo.processInfo.activeProcessorCount, 1)
        controller = RampController(
            settings: .init(ceilingPerSecond: max(options.ratePerSecond, 0), cores: cores), steers: mode == .closedLoop)
        // Before the workers start: the run queue of other work on the host.
        if let rq = meter.runQueueNow() { controller.setBaseline(runQueue: rq) }
    }

    /// The total rate the workers are started with: the floor under the closed loop (so a worker's own ramp
    /// deadline, computed from its --rate, is long enough for the slowest ramp the controller may choose),
    /// nil: the plan's --rate share. The controller's first rate is sent right after they start.
    var workerStartRate: Double? { mode == .closedLoop ? controller.settings.floorPerSecond : nil }

    /// Bound on the whole ramp: ten times the time at the ceiling under the closed loop, twice it otherwise.
    func rampBoundSeconds(connections: Int, handshakeTimeoutSeconds: Double) -> Double {
        let ceiling = controller.settings.ceilingPerSecond
        let planned = ceiling > 0 ? Double(connections) / ceiling : 10
        return planned * (mode == .closedLoop ? 10 : 2) + handshakeTimeoutSeconds + 60
    }

    mutating func attach(_ fleet: LoadWorkerFleet, serverPIDs: [Int32], elapsedSeconds: Double) {
        meter.clientPIDs = fleet.children.map(\.pid)
        meter.serverPIDs = serverPIDs
        _ = meter.read(elapsedSeconds: elapsedSeconds)
        // The starting point, so the first judgement comes one sample (0.5 s) after the workers start.
        controller.step(.init(elapsedSeconds: elapsedSeconds, connected: 0, inFlight: 0, window: LatencySummary()))
        if mode == .closedLoop { fleet.setRate(controller.ratePerSecond) }
    }

    /// One step with the workers' latest totals; sends the new rate when it changed.
    /// - Parameter serverNofile: the servers' limit, to tell a server at its fd limit from an overdriven one.
    mutating func step(
        _ fleet: LoadWorkerFleet, total t: LoadProgress, host: HostSample, serverNofile: Int, elapsedSeconds: Double
    ) {
        let cpu = meter.read(elapsedSeconds: elapsedSeconds)
        let before = controller.ratePerSecond
        var sample = RampController.Sample(
            elapsedSeconds: elapsedSeconds, connected: t.connected, inFlight: t.inFlight ?? 0,
            window: t.handshakeWindow ?? LatencySummary(), runQueue: cpu.runQueue,
            clientCPUCores: cpu.clientCPUCores, serverCPUCores: cpu.serverCPUCores, hostBusyCores: cpu.hostBusyCores)
        sample.serversAtFdLimit = host.maxServerFdsPerProcess >= serverNofile - 64
        let after = controller.step(sample)
        if mode == .closedLoop && after != before { fleet.setRate(after) }
    }

    func summary(failures: [String: Int], clientThreads: Int) -> RampSummary {
        RampSummary.make(
            mode: mode, controller: controller, cores: cores, clientThreads: clientThreads, failures: failures)
    }
}
