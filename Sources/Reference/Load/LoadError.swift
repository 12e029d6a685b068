import Foundation

/// Why `load` could not run at all (bad input); failures of single connections are `ConnectionFailure`s.
public enum LoadError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    case invalidSourceRange(String, reason: String)
    case invalidOption(String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): return "URL \(url): \(reason)"
        case .invalidSourceRange(let text, let reason): return "--source \(text): \(reason)"
        case .invalidOption(let name, let reason): return "\(name): \(reason)"
        }
    }
}
