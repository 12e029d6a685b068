/// An RLIMIT_NOFILE pair. `nil` in a field means unlimited ("infinity"), which for nofile the kernel caps at fs.nr_open.
public struct FileLimit: Sendable, Equatable, Codable {
    public var soft: Int?
    public var hard: Int?
    public init(soft: Int?, hard: Int?) {
        self.soft = soft
        self.hard = hard
    }

    /// The effective values with "unlimited" resolved to fs.nr_open.
    public func resolved(nrOpen: Int) -> (soft: Int, hard: Int) {
        (min(soft ?? nrOpen, nrOpen), min(hard ?? nrOpen, nrOpen))
    }
}

/// Where a file limit was read from, for the audit's wording.
public enum FileLimitSource: Sendable, Equatable, Codable, CustomStringConvertible {
    case process(pid: String)
    case unit(name: String, via: String)
    case user(name: String)

    public var description: String {
        switch self {
        case .process(let pid): return pid == "self" ? "this shell's process" : "process \(pid)"
        case .unit(let name, let via): return "unit \(name) (\(via))"
        case .user(let name): return "user \(name) (limits.conf)"
        }
    }
}
