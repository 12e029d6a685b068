/// Why a profile could not be loaded. Every case names the file (and the line or key where known).
public enum ProfileError: Error, Equatable, CustomStringConvertible {
    case notFound(name: String, searched: [String])
    case unreadable(path: String, reason: String)
    case syntax(path: String, line: Int, reason: String)
    case invalidValue(path: String, line: Int, key: String, reason: String)
    case unknownKey(path: String, line: Int, key: String)
    case missingKey(path: String, key: String)
    case includeCycle(chain: [String])
    /// The include chain is longer than `ProfileStore.maximumIncludeDepth` (`path` includes one too many).
    case includeTooDeep(path: String, limit: Int)

    public var description: String {
        switch self {
        case .notFound(let name, let searched):
            return "profile '\(name)' not found (looked in: \(searched.joined(separator: ", ")))"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .syntax(let path, let line, let reason): return "\(path):\(line): YAML syntax: \(reason)"
        case .invalidValue(let path, let line, let key, let reason): return "\(path):\(line): \(key): \(reason)"
        case .unknownKey(let path, let line, let key): return "\(path):\(line): unknown key '\(key)'"
        case .missingKey(let path, let key): return "\(path): missing required key '\(key)'"
        case .includeCycle(let chain): return "profile include cycle: \(chain.joined(separator: " -> "))"
        case .includeTooDeep(let path, let limit):
            return "\(path): include: chain of more than \(limit) profiles; flatten the profiles"
        }
    }
}
