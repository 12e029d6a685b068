/// Bytes per connection measured in a check, against the profile's budget.
public struct ConnectionMemory: Sendable, Codable, Equatable {
    /// Server RSS growth ÷ connections (user space, server side only).
    public var userBytesPerConnection: Int?
    /// Slab growth ÷ connections: kernel objects of both ends of each loopback connection.
    public var kernelBytesPerConnection: Int?
    public var budgetBytes: Int?
    /// `check --deflate`: zlib state a compressing client adds per connection (`DeflateCodec`), counted against
    /// the budget with the measured bytes (the load client itself does not compress).
    public var deflateBytesPerConnection: Int?

    public init(userBytesPerConnection: Int?, kernelBytesPerConnection: Int?, budgetBytes: Int?) {
        self.userBytesPerConnection = userBytesPerConnection
        self.kernelBytesPerConnection = kernelBytesPerConnection
        self.budgetBytes = budgetBytes
    }

    /// From a baseline and an end sample with `connections` open.
    public init(baseline: HostSample, end: HostSample, connections: Int, budgetBytes: Int?) {
        guard connections > 0 else {
            self.init(userBytesPerConnection: nil, kernelBytesPerConnection: nil, budgetBytes: budgetBytes)
            return
        }
        let user =
            end.serverProcessesAlive > 0 ? max(end.serverRSSBytes - baseline.serverRSSBytes, 0) / connections : nil
        var kernel: Int?
        // Sockets the server never accepted (a limit was hit) hold slab too: divide by loopback pairs in use.
        var pairs = connections
        if let x = baseline.tcpInUse, let y = end.tcpInUse { pairs = max(pairs, (y - x) / 2) }
        if let a = baseline.slabBytes, let b = end.slabBytes { kernel = max(b - a, 0) / pairs }
        self.init(userBytesPerConnection: user, kernelBytesPerConnection: kernel, budgetBytes: budgetBytes)
    }

    /// nil when unknown; true when user + kernel bytes fit the budget.
    public var withinBudget: Bool? {
        guard let budgetBytes, let u = userBytesPerConnection else { return nil }
        return u + (kernelBytesPerConnection ?? 0) + (deflateBytesPerConnection ?? 0) <= budgetBytes
    }
}
