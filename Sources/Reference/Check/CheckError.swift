/// Why `check` could not run (exit 2), as opposed to running and not reaching the target (exit 1).
public enum CheckError: Error, Equatable, CustomStringConvertible {
    case invalidOption(String, reason: String)
    case serverDidNotStart(command: String, detail: String)
    case workerFailed(command: String, detail: String)
    case noFreePort(host: String)

    public var description: String {
        switch self {
        case .invalidOption(let name, let reason): return "\(name): \(reason)"
        case .serverDidNotStart(let command, let detail): return "the server did not start (\(command)): \(detail)"
        case .workerFailed(let command, let detail): return "a load worker failed (\(command)): \(detail)"
        case .noFreePort(let host): return "no free TCP port on \(host)"
        }
    }
}
