/// Where a resolved profile value came from, so `wstune profiles show` can say it.
public enum ValueOrigin: Equatable, Sendable, Codable, CustomStringConvertible {
    /// Set in the profile file itself.
    case explicit(profile: String)
    /// Set in a profile this one includes (directly or further up).
    case inherited(from: String)
    /// Not set anywhere: a built-in default or derived by the capacity model.
    case derived

    public var description: String {
        switch self {
        case .explicit(let p): return "explicit (\(p))"
        case .inherited(let p): return "inherited from \(p)"
        case .derived: return "derived"
        }
    }
}

/// A value and its origin.
public struct Sourced<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var origin: ValueOrigin
    public init(_ value: Value, _ origin: ValueOrigin) {
        self.value = value
        self.origin = origin
    }
}

/// Whether connection tracking applies to the WebSocket traffic.
public enum ConntrackMode: String, Sendable, Equatable, Codable {
    /// Judge conntrack only when the module is loaded on the host.
    case auto
    /// The traffic is tracked (a firewall with `ct state` rules): size conntrack.
    case on
    /// The traffic is not tracked (NOTRACK rules or no conntrack).
    case off
}

/// A resolved profile: a named connection target and the facts the capacity model sizes from.
/// Files live in `profiles/*.yaml`; `include:` inherits from another profile and overrides it.
public struct Profile: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The include chain, nearest first (`gateway-1m` → [`server-100k`, `dev`]).
    public var includes: [String]
    /// File the profile was read from (nil for a built-in or synthesised profile).
    public var sourcePath: String?

    /// Concurrent WebSocket connections the host must hold.
    public var connections: Sourced<Int>
    /// Application ping interval; proxies and keepalive must not cut idle sockets sooner.
    public var pingIntervalSeconds: Sourced<Int>
    /// Reconnect storm window: all clients come back within this many seconds after a restart.
    public var reconnectWindowSeconds: Sourced<Int>
    /// Memory the host spends per connection (user space + kernel), the RAM budget.
    public var perConnectionBytes: Sourced<Int>
    /// A reverse proxy (nginx, HAProxy) on this host terminates clients and connects to backends.
    public var proxy: Sourced<Bool>
    /// Distinct backend addresses (IP:port) the proxy connects to; each 4-tuple has its own ephemeral-port space.
    public var backendAddresses: Sourced<Int>
    /// Ports the WebSocket server or proxy listens on (checked against the ephemeral range).
    public var listenPorts: Sourced<[Int]>
    public var conntrack: Sourced<ConntrackMode>
    /// Explicit values for anything the model derives: sysctl keys (`net.core.somaxconn`) or `nofile`.
    /// They replace the model's need for that key.
    public var settings: [String: Sourced<Int>]

    public init(
        name: String, description: String = "", includes: [String] = [], sourcePath: String? = nil,
        connections: Sourced<Int>, pingIntervalSeconds: Sourced<Int> = Sourced(30, .derived),
        reconnectWindowSeconds: Sourced<Int> = Sourced(10, .derived),
        perConnectionBytes: Sourced<Int> = Sourced(Profile.defaultPerConnectionBytes, .derived),
        proxy: Sourced<Bool> = Sourced(false, .derived), backendAddresses: Sourced<Int> = Sourced(1, .derived),
        listenPorts: Sourced<[Int]> = Sourced([], .derived),
        conntrack: Sourced<ConntrackMode> = Sourced(.auto, .derived),
        settings: [String: Sourced<Int>] = [:]
    ) {
        self.name = name
        self.description = description
        self.includes = includes
        self.sourcePath = sourcePath
        self.connections = connections
        self.pingIntervalSeconds = pingIntervalSeconds
        self.reconnectWindowSeconds = reconnectWindowSeconds
        self.perConnectionBytes = perConnectionBytes
        self.proxy = proxy
        self.backendAddresses = backendAddresses
        self.listenPorts = listenPorts
        self.conntrack = conntrack
        self.settings = settings
    }

    /// 16 KiB: ~10 KiB of kernel memory for an idle loopback socket pair measured here, plus a lean server's
    /// user-space state, rounded up.
    public static let defaultPerConnectionBytes = 16 * 1024

    /// Largest connection target a profile or `--connections` may ask for (100 million: ~40× the largest single
    /// hosts reported; the bound keeps every derived figure far from Int's range).
    public static let maximumConnections = 100_000_000

    /// A copy with the connection target overridden (`--connections N`).
    public func withConnections(_ n: Int) -> Profile {
        var p = self
        p.connections = Sourced(n, .explicit(profile: "--connections"))
        return p
    }

    /// An explicit setting, if the profile pins one.
    public func setting(_ key: String) -> Int? { settings[key]?.value }
}
