import Glibc
import ArgumentParser
import SocketDiag

/// The socket filter `count` and `top` share: ports, side, states, families.
struct SocketFilterOptions: ParsableArguments {
    @Option(name: .customLong("port"), help: "Match this port (repeat for several; any of them matches).")
    var ports: [UInt16] = []

    @Flag(name: .customLong("local"), help: "Match --port against the local port (the server's side; default).")
    var local = false

    @Flag(name: .customLong("remote"), help: "Match --port against the remote (peer) port.")
    var remote = false

    @Option(name: .customLong("state"),
            help: "TCP state to count (ss names: established, syn-recv, time-wait, close-wait, …, or all); repeatable.")
    var stateNames: [String] = []

    @Flag(name: .customShort("4"), help: "IPv4 only.")
    var ipv4Only = false

    @Flag(name: .customShort("6"), help: "IPv6 only.")
    var ipv6Only = false

    @Option(name: .customLong("partitions"),
            help: "Parallel dumps per family, each over a slice of the peer-port space (families always run in parallel).")
    var partitions: Int = 1

    @Flag(name: .customLong("per-family"),
          help: "One dump per family in parallel, instead of one dump walking the kernel's table once for both.")
    var perFamily = false

    func validate() throws {
        if local && remote { throw ValidationError("--local and --remote exclude each other") }
        if ipv4Only && ipv6Only { throw ValidationError("-4 and -6 exclude each other") }
        _ = try states(default: [.established])
        if partitions < 1 || partitions > 64 { throw ValidationError("--partitions must be between 1 and 64") }
    }

    /// The states asked for, or `fallback` when none were.
    func states(default fallback: [TCPState]) throws -> [TCPState] {
        if stateNames.isEmpty { return fallback }
        var out: [TCPState] = []
        for name in stateNames {
            if name.lowercased() == "all" { return TCPState.allCases }
            guard let s = TCPState(name: name) else {
                throw ValidationError("unknown state '\(name)' (one of: \(TCPState.allCases.map(\.name).joined(separator: ", ")), all)")
            }
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    var families: [SocketQuery.Family] {
        ipv4Only ? [.ipv4] : ipv6Only ? [.ipv6] : [.ipv4, .ipv6]
    }

    /// Partitions per family. Default 1: every dump walks the kernel's whole established hash (shared by all
    /// network namespaces), so slicing the port space multiplies that walk; measured on 2 CPUs, one dump per
    /// family in parallel was fastest (Benchmarks/count).
    var effectivePartitions: Int { partitions }

    func query(defaultStates: [TCPState], grouping: SocketQuery.Grouping?, queueThresholdBytes: UInt32,
               collectCookies: Bool = false) throws -> SocketQuery {
        var q = SocketQuery(ports: ports, remote: remote, states: try states(default: defaultStates), families: families,
                            grouping: grouping, queueThresholdBytes: queueThresholdBytes, collectCookies: collectCookies,
                            partitions: effectivePartitions)
        q.bothFamiliesInOneDump = !perFamily
        return q
    }
}

enum System {
    static var cpuCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

extension SocketQuery.Grouping: ExpressibleByArgument {}
extension ConntrackReader.Engine: ExpressibleByArgument {}
