import Foundation
import HostFacts
import SocketDiag
import Tuning

/// Runs a check end to end: predict, start the servers (or target a running one), ramp with load workers while
/// sampling the host, hold, broadcast once, then diagnose. Every wait is bounded; children are always stopped.
public final class CheckRunner: @unchecked Sendable {
    public let options: CheckOptions
    public let predictor: CapacityPredicting
    private let lock = NSLock()
    private var servers: ServerFleet?
    private var workers: LoadWorkerFleet?
    private var hop: ProxyHop?

    public init(options: CheckOptions, predictor: CapacityPredicting = AuditCapacityPredictor()) {
        self.options = options
        self.predictor = predictor
    }

    /// Stops every child now (for a signal handler); safe to call from any thread, and more than once.
    public func abort() {
        lock.lock()
        let w = workers
        let s = servers
        let h = hop
        lock.unlock()
        w?.stopAll()
        h?.stop()
        s?.stop()
    }

    public func makePlan() -> CheckPlan {
        let hard = options.fdsPerProcess + 1000
        let sources =
            options.sources?.addresses
            ?? (options.externalURL == nil && options.host.hasPrefix("127.") && options.connections > 1
                ? SourceAddressPool.loopbackDefault.addresses : [])
        return CheckPlan.make(
            connections: options.connections, ratePerSecond: options.ratePerSecond,
            serverNofile: options.serverNofile, serverProcesses: options.serverProcesses,
            loadWorkers: options.loadWorkers, fdsPerProcess: options.fdsPerProcess,
            hardLimit: hard, sources: sources)
    }

    public func run(progress: ((CheckProgress) -> Void)? = nil) throws -> CheckReport {
        guard options.connections >= 1 else {
            throw CheckError.invalidOption("--connections", reason: "must be at least 1")
        }
        let root = options.root
        // The host as the audit reads it, once: the prediction and the diagnosis's sysctls come from it.
        // Listeners by a sock_diag LISTEN dump (as audit), not by parsing /proc/net/tcp on a loaded host.
        let host = try HostSnapshot.read(
            root: root,
            options: .init(liveListenPorts: ListeningPorts.provider, liveBoundPorts: BoundPortCensus.provider))
        var plan = makePlan()
        let start = Date()
        func elapsed() -> Double { Date().timeIntervalSince(start) }
        let idle = LoadProgress(
            phase: .ramp, elapsedSeconds: 0, requested: options.connections, started: 0,
            connected: 0, open: 0, failed: 0, handshakesPerSecond: 0)
        progress?(CheckProgress(phase: .starting, load: idle, sample: nil))

        // 2. Servers: started here with lowered limits, or the running ones the user named.
        var target: WebSocketTarget
        var pids = options.externalPIDs
        if let url = options.externalURL {
            target = url
            if let pid = pids.first, let limit = try ProcessLimits.readNofile(root: root, pid: "\(pid)") {
                plan.serverNofile = limit.soft ?? plan.serverNofile
            }
            plan.serverProcesses = max(pids.count, 1)
        } else {
            let port = try FreePort.find(host: options.host)
            let fleet = try ServerFleet(options: options, plan: plan, port: port)
            lock.lock()
            servers = fleet
            lock.unlock()
            do {
                try fleet.waitListening(seconds: 20)
            } catch {
                fleet.stop()
                throw error
            }
            pids = fleet.pids
            target = WebSocketTarget(host: options.host, port: port, path: "/ws/broadcast")
        }
        defer { servers?.stop() }
        // check --via: the proxy in front of the servers; the clients connect through it.
        var proxy: ProxyHop?
        if let via = options.via {
            let backend = target
            let h = try via.makeHop(
                profile: options.profile, connections: options.connections,
                backends: ["\(backend.host):\(backend.port)"], hardLimit: options.fdsPerProcess + 1000,
                tempDirectory: FileManager.default.temporaryDirectory, path: "/ws")
            lock.lock()
            hop = h
            lock.unlock()
            proxy = h
            try h.waitReady(seconds: 15)
            target = WebSocketTarget(host: h.listen.host, port: h.listen.port, path: backend.path)
        }
        defer { proxy?.stop() }
        // The most fds one proxy process held at any sample (the workers drop clients at their limit, so the end
        // of the run would not show it).
        var proxyPeakFds = 0
        func sampleProxy() {
            guard let proxy else { return }
            for pid in proxy.pids() { proxyPeakFds = max(proxyPeakFds, root.listDirectory("proc/\(pid)/fd").count) }
        }
        // 1. The prediction, for the processes and limits this run really has.
        var prediction = predictor.predict(
            connections: options.connections, profile: options.profile, plan: plan, host: host)
        let proxyPrediction = proxy.map { ProxyPrediction.limits($0.limits, ports: EphemeralPortSpace.of(host)) }
        prediction.limits += proxyPrediction ?? []
        let sampler = HostSampler(root: root, serverPIDs: pids)
        usleep(300_000)
        let baseline = try sampler.sample(elapsedSeconds: elapsed(), clientOpen: 0)
        var samples = [baseline]

        // 3–4. Ramp with the workers, sampling twice a second; the closed loop steers the rate at each sample.
        var ramp = RampDriver(options: options, root: root)
        let fleet = try LoadWorkerFleet(
            binary: options.wstuneBinary, url: target.urlString, plan: plan, options: options,
            startRatePerSecond: ramp.workerStartRate)
        lock.lock()
        workers = fleet
        lock.unlock()
        defer { fleet.stopAll() }
        ramp.attach(fleet, serverPIDs: pids, elapsedSeconds: elapsed())
        let rampDeadline =
            elapsed()
            + ramp.rampBoundSeconds(
                connections: options.connections, handshakeTimeoutSeconds: options.handshakeTimeoutSeconds)
        var lastSample = elapsed()
        while !fleet.rampDone && !fleet.allExited && elapsed() < rampDeadline {
            usleep(100_000)
            if elapsed() - lastSample >= 0.5 {
                lastSample = elapsed()
                let t = fleet.total()
                let s = try sampler.sample(elapsedSeconds: elapsed(), clientOpen: t.open)
                samples.append(s)
                sampleProxy()
                ramp.step(fleet, total: t, host: s, serverNofile: plan.serverNofile, elapsedSeconds: elapsed())
                progress?(CheckProgress(phase: .ramp, load: t, sample: s))
            }
        }
        // 5. Hold, then broadcast once to all and stop.
        let holdEnd = elapsed() + options.holdSeconds
        while elapsed() < holdEnd && !fleet.allExited {
            usleep(100_000)
            if elapsed() - lastSample >= 0.5 {
                lastSample = elapsed()
                let t = fleet.total()
                let s = try sampler.sample(elapsedSeconds: elapsed(), clientOpen: t.open)
                samples.append(s)
                sampleProxy()
                progress?(CheckProgress(phase: .hold, load: t, sample: s))
            }
        }
        let holdTotal = fleet.total()
        let end = try sampler.sample(elapsedSeconds: elapsed(), clientOpen: holdTotal.open)
        samples.append(end)
        progress?(CheckProgress(phase: .broadcast, load: holdTotal, sample: end))
        fleet.broadcastAndStop()
        let parts = fleet.finish(waitSeconds: 60)
        guard !parts.isEmpty else {
            throw CheckError.workerFailed(
                command: fleet.children.first?.commandLine ?? "",
                detail: fleet.errors.joined(separator: "; ").isEmpty
                    ? "no report" : fleet.errors.joined(separator: "; "))
        }
        var load = LoadReport.merged(parts, url: target.urlString)
        progress?(CheckProgress(phase: .stopping, load: fleet.total(), sample: nil))
        let serverErrors = (servers?.children.contains { !$0.isRunning } ?? false) ? (servers?.errors ?? []) : []

        // 6. Diagnose and report.
        let peak = samples.max { $0.clientOpen < $1.clientOpen } ?? end
        var peakForFds = peak
        peakForFds.maxServerFdsPerProcess = samples.map(\.maxServerFdsPerProcess).max() ?? 0
        var evidence = CheckEvidence(
            requested: options.connections, openAtEnd: load.openAtEnd, peakOpen: max(load.peakOpen, peak.clientOpen),
            failures: load.failures, firstErrors: load.firstErrors, baseline: baseline, peak: peakForFds, end: end,
            serverProcesses: pids.count, serverNofile: plan.serverNofile,
            somaxconn: host.int("net.core.somaxconn"),
            portRange: host.ints("net.ipv4.ip_local_port_range")?.map(String.init).joined(separator: "-"),
            sourceAddresses: load.sourceAddresses, tcpMemPagesMax: host.ints("net.ipv4.tcp_mem")?.last)
        evidence.broadcast = load.broadcast
        var findings = LimitDiagnosis.diagnose(evidence)
        var via: ViaReport?
        if let proxy {
            var proxyEvidence = proxy.evidence()
            proxyEvidence.maxFdsPerProcess = max(proxyEvidence.maxFdsPerProcess ?? 0, proxyPeakFds)
            let exited = proxy.pids().isEmpty
            let proxyFindings = ProxyDiagnosis.diagnose(
                proxyEvidence, limits: proxy.limits, exited: exited, reached: evidence.reached)
            findings = ProxyDiagnosis.merge(proxy: proxyFindings, check: findings, reached: evidence.reached)
            via = ViaReport(
                kind: proxy.kind, listen: proxy.listen.urlString, limits: proxy.limits,
                prediction: proxyPrediction ?? [], evidence: proxyEvidence)
        }
        let budget = options.profile?.perConnectionBytes.value
        var memory = ConnectionMemory(baseline: baseline, end: end, connections: load.openAtEnd, budgetBytes: budget)
        if options.deflate { memory.deflateBytesPerConnection = DeflateCodec.contextTakeoverBytesPerConnection }
        let rampSeconds = load.rampSeconds
        let rate = load.handshakesPerSecond
        load.handshakeHistogram = nil
        load.broadcastHistogram = nil
        var report = CheckReport(
            requested: options.connections, reached: evidence.reached, openAtEnd: load.openAtEnd,
            peakOpen: evidence.peakOpen, target: target.urlString, plan: plan, prediction: prediction,
            limit: findings.first(where: \.binding), findings: findings, failures: load.failures,
            counterDeltas: Self.deltas(baseline, end), memory: memory, rampSeconds: rampSeconds,
            handshakesPerSecond: rate, load: load, samples: Self.thin(samples, to: 120), serverErrors: serverErrors)
        report.via = via
        report.ramp = ramp.summary(failures: load.failures, clientThreads: fleet.threadsPerWorker * plan.workers.count)
        return report
    }

    static func deltas(_ a: HostSample, _ b: HostSample) -> [String: Int] {
        var d: [String: Int] = [:]
        func put(_ key: String, _ x: Int?, _ y: Int?) {
            if let x, let y { d[key] = y - x }
        }
        put("TcpExt.ListenOverflows", a.listenOverflows, b.listenOverflows)
        put("TcpExt.ListenDrops", a.listenDrops, b.listenDrops)
        put("conntrack.count", a.conntrackCount, b.conntrackCount)
        put("conntrack.drops", a.conntrackDrops, b.conntrackDrops)
        put("sockstat.TCP.inuse", a.tcpInUse, b.tcpInUse)
        put("sockstat.TCP.mem.pages", a.tcpMemPages, b.tcpMemPages)
        put("sockstat.TCP.tw", a.tcpTimeWait, b.tcpTimeWait)
        put("fs.file-nr.allocated", a.filesAllocated, b.filesAllocated)
        put("meminfo.Slab.bytes", a.slabBytes, b.slabBytes)
        put("softnet.dropped", a.softnetDrops, b.softnetDrops)
        put("server.fds", a.serverFds, b.serverFds)
        put("server.rss.bytes", a.serverRSSBytes, b.serverRSSBytes)
        return d
    }

    static func thin(_ samples: [HostSample], to limit: Int) -> [HostSample] {
        guard samples.count > limit else { return samples }
        let step = Double(samples.count - 1) / Double(limit - 1)
        return (0..<limit).map { samples[Int((Double($0) * step).rounded())] }
    }
}
