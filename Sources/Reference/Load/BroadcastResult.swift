/// One broadcast after the ramp: how many clients got it and how fast (fan-out latency, sender's wall clock to
/// each receiver's).
public struct BroadcastResult: Sendable, Codable, Equatable {
    /// Clients open when the broadcast went out.
    public var expected: Int
    /// Clients that received it (a sender only when the message came back to it as well).
    public var delivered: Int
    /// Rounds sent (a later round goes out from clients that missed earlier ones, to reach every server process).
    public var rounds: Int
    public var senders: Int
    public var latency: LatencySummary

    public init(expected: Int, delivered: Int, rounds: Int, senders: Int, latency: LatencySummary) {
        self.expected = expected
        self.delivered = delivered
        self.rounds = rounds
        self.senders = senders
        self.latency = latency
    }

    public var complete: Bool { delivered >= expected }
}
