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

    @Option(
        name: .customLong("state"),
        help: "TCP state to count (ss names: established, syn-recv, time-wait, close-wait, …, or all); repeatable.")
    var stateNames: [String] = []

    @Flag(name: .customShort("4"), help: "IPv4 only.")
    var ipv4Only = false

    @Flag(name: .customShort("6"), help: "IPv6 only.")
    var ipv6Only = false

    /// Each dump walks the kernel's whole established hash (shared by every network namespace) and its filter keeps
    /// one slice, so slicing pays only while another CPU is idle: `auto` (SocketQuery.automaticPartitions) takes
    /// two slices then and one otherwise.
    @Option(
        name: .customLong("partitions"),
        help: ArgumentHelp(
            "Parallel dumps, each over a slice of the peer-port space (auto: 2 while a CPU is idle, else 1).",
            valueName: "N|auto"))
    var partitions: PartitionCount = .auto

    @Flag(
        name: .customLong("per-family"),
        help: "One dump per family in parallel, instead of one dump walking the kernel's table once for both.")
    var perFamily = false

    func validate() throws {
        if local && remote { throw ValidationError("--local and --remote exclude each other") }
        if ipv4Only && ipv6Only { throw ValidationError("-4 and -6 exclude each other") }
        _ = try states(default: [.established])
        if case .fixed(let n) = partitions, n < 1 || n > 64 {
            throw ValidationError("--partitions must be between 1 and 64, or auto")
        }
    }

    /// The states asked for, or `fallback` when none were.
    func states(default fallback: [TCPState]) throws -> [TCPState] {
        if stateNames.isEmpty { return fallback }
        var out: [TCPState] = []
        for name in stateNames {
            if name.lowercased() == "all" { return TCPState.allCases }
            guard let s = TCPState(name: name) else {
                throw ValidationError(
                    "unknown state '\(name)' (one of: \(TCPState.allCases.map(\.name).joined(separator: ", ")), all)")
            }
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    var families: [SocketQuery.Family] {
        ipv4Only ? [.ipv4] : ipv6Only ? [.ipv6] : [.ipv4, .ipv6]
    }

    func query(
        defaultStates: [TCPState], grouping: SocketQuery.Grouping?, queueThresholdBytes: UInt32,
        collectCookies: Bool = false
    ) throws -> SocketQuery {
        var q = SocketQuery(
            ports: ports, remote: remote, states: try states(default: defaultStates), families: families,
            grouping: grouping, queueThresholdBytes: queueThresholdBytes, collectCookies: collectCookies,
            partitions: partitions.resolved)
        q.bothFamiliesInOneDump = !perFamily
        return q
    }
}

/// `--partitions N` or `auto`.
enum PartitionCount: Equatable, ExpressibleByArgument {
    case auto
    case fixed(Int)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let n = Int(argument) {
            self = .fixed(n)
        } else {
            return nil
        }
    }

    var defaultValueDescription: String { self == .auto ? "auto" : "\(resolved)" }

    var resolved: Int {
        switch self {
        case .auto: return SocketQuery.automaticPartitions()
        case .fixed(let n): return n
        }
    }
}

extension SocketQuery.Grouping: ExpressibleByArgument {}
extension ConntrackReader.Engine: ExpressibleByArgument {}
