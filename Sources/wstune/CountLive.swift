import Foundation
import SocketDiag

/// `count --live`: the count once per interval, for scripts that poll, from the BPF live counter where it
/// loads (one dump seeds it, then each line reads its map), else a sock_diag dump per line.
extension CountCommand {
    struct LiveLine: Encodable {
        let source: String
        let sourceReason: String?
        let bpfProgramId: UInt32?
        let matching: Int
        let byState: [String: Int]
        let establishedByPort: [String: Int]?
        /// With source bpf: events the kernel skipped, and the seeds they caused after the first.
        let missedEvents: UInt64?
        let reseeds: Int?
        /// With source bpf: age of the SYN-RECV / FIN-WAIT-2 / TIME-WAIT figures (a rate-limited dump).
        let miniStatesAgeSeconds: Double?
    }

    func runLive(query: SocketQuery, in context: CommandContext) throws {
        let live = try LiveSource.open(source, query: query, command: "count", in: context)
        if !json { context.printError("wstune count: \(live.description)") }
        TopSignals.install()
        var lines = 0
        while true {
            let counts: SocketCounts
            do {
                counts = try live.counter?.counts(query) ?? SocketCounter.count(query)
            } catch {
                context.printError("wstune count: \(error)")
                throw ExitStatus.couldNotRun
            }
            if json {
                let line = LiveLine(
                    source: live.name.rawValue, sourceReason: live.fallbackReason,
                    bpfProgramId: live.counter?.programID, matching: counts.total,
                    byState: Dictionary(uniqueKeysWithValues: counts.byState.map { ($0.key.name, $0.value) }),
                    establishedByPort: query.ports.isEmpty
                        ? nil
                        : Dictionary(
                            uniqueKeysWithValues: query.ports.map { (String($0), counts.establishedByPort[$0] ?? 0) }),
                    missedEvents: live.counter?.missedEvents, reseeds: live.counter?.reseeds,
                    miniStatesAgeSeconds: live.counter.map { ($0.miniStatesAgeSeconds * 1000).rounded() / 1000 })
                try context.printJSONLine(line)
            } else {
                context.stdout.write(Data("\(counts.total)\n".utf8))
            }
            lines += 1
            if let n = liveIterations, lines >= n { break }
            if TopSignals.wait(seconds: liveIntervalSeconds, watchKeys: false) == .quit { break }
        }
    }
}
