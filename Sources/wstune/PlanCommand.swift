import ArgumentParser
import HostFacts
import SocketDiag
import Tuning

struct PlanCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract:
            "Print what a connection target needs, what this host supplies, and the binding limit. Changes nothing.",
        discussion: "Example: wstune plan --connections 250000 --profile proxy")

    @OptionGroup var profileOptions: ProfileOptions
    @OptionGroup var rootOption: RootOption

    @Flag(help: "Print JSON.")
    var json = false

    struct Output: Encodable {
        /// One requirement of the target, typed (issue 16): what the host has and what the check needs.
        struct Requirement: Encodable {
            var id: String
            var observed: ObservedValue?
            var source: String?
            var requirement: Bound
            var unit: ValueUnit?
            var met: Bool?
        }
        var schemaVersion = 2
        var profile: String
        var connections: Int
        var needs: Needs
        var supply: Supply
        var bindingLimit: String?
        var capacity: Int
        var requirements: [Requirement]
    }

    /// The audit's typed requirements (a check's number and bound), in check order.
    static func requirements(host: HostSnapshot, profile: Profile) -> [Output.Requirement] {
        Audit.run(host: host, profile: profile).findings.compactMap { f in
            guard let b = f.requirement else { return nil }
            var met: Bool?
            if case .number(let n)? = f.observed { met = b.isMet(by: n) }
            return Output.Requirement(
                id: f.id, observed: f.observed, source: f.source, requirement: b, unit: f.unit, met: met)
        }
    }

    func run() throws { try run(in: .live) }

    func run(in context: CommandContext) throws {
        let profile = try profileOptions.load(in: context)
        let host = try readingHost(in: context) {
            try HostSnapshot.read(
                root: rootOption.hostRoot(in: context),
                options: .init(
                    liveListenPorts: ListeningPorts.provider,
                    liveBoundPorts: BoundPortCensus.provider(proxy: profile.proxy.value)))
        }
        let req = Requirement(profile: profile, host: host)
        let supply = Supply.of(host, req)
        if json {
            try context.printJSON(
                Output(
                    profile: profile.name, connections: req.needs.connections, needs: req.needs, supply: supply,
                    bindingLimit: supply.binding?.id, capacity: supply.connections,
                    requirements: Self.requirements(host: host, profile: profile)))
            return
        }
        let n = req.needs
        let term = context.stdoutTerminal
        var rows: [(String, String)] = [
            ("connections", grouped(n.connections)),
            ("server nofile (soft = hard)", grouped(n.serverNofile)),
        ]
        if let p = n.proxyNofile { rows.append(("proxy nofile (2 fds per client)", grouped(p))) }
        rows += [
            ("fs.nr_open", "≥ \(grouped(n.nrOpen))"), ("fs.file-max", "≥ \(grouped(n.fileMax))"),
            ("net.core.somaxconn", "≥ \(grouped(n.somaxconn)) (storm \(grouped(n.reconnectRatePerSecond))/s)"),
            ("net.ipv4.tcp_max_syn_backlog", "≥ \(grouped(n.synBacklog))"),
            ("nf_conntrack_max (if tracked)", "≥ \(grouped(n.conntrackMax))"),
            ("nf_conntrack_buckets (if tracked)", "≥ \(grouped(n.conntrackBuckets))"),
        ]
        if n.ephemeralPortsPerBackend > 0 {
            rows.append(("ephemeral ports per backend", "≥ \(grouped(n.ephemeralPortsPerBackend))"))
        }
        rows += [
            ("tcp_mem pressure (pages)", "≥ \(grouped(n.tcpMemPages))"), ("RAM budget", Bytes.format(n.memoryBytes)),
            ("tcp_keepalive_time", "≤ \(n.keepaliveTimeSeconds) s"),
        ]
        context.print(term.paint("Needs", .bold) + " — profile \(profile.name)")
        let w = rows.map(\.0.count).max() ?? 0
        for (k, v) in rows { context.print("  " + k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + v) }
        context.print(term.paint("Supply as configured", .bold))
        for l in supply.limits.sorted(by: { $0.connections < $1.connections }) {
            let mark = l.id == supply.binding?.id ? term.paint(" ← binds first", .yellow) : ""
            context.print(
                "  \(grouped(l.connections).padding(toLength: 14, withPad: " ", startingAt: 0)) \(l.id): \(l.description)\(mark)"
            )
        }
        context.print(
            "This host holds ~\(grouped(supply.connections)) connections as configured (binding: \(supply.binding?.id ?? "none"))."
        )
    }
}
