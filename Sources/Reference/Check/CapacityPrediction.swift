/// The connections the host is predicted to hold before the run, per limit; the smallest one binds.
public struct CapacityPrediction: Sendable, Codable, Equatable {
    public struct Limit: Sendable, Codable, Equatable {
        public var id: String
        public var connections: Int
        public var detail: String

        public init(id: String, connections: Int, detail: String) {
            self.id = id
            self.connections = connections
            self.detail = detail
        }
    }

    public var limits: [Limit]
    /// Where the numbers come from (the audit's capacity model, or check's own host reading).
    public var source: String

    public init(limits: [Limit], source: String) {
        self.limits = limits
        self.source = source
    }

    public var binding: Limit? { limits.min { $0.connections < $1.connections } }
    public var connections: Int? { binding?.connections }
}
