/// Why a config could not be rendered, written or validated. Each case names the option, file or line.
public enum RenderError: Error, Equatable, CustomStringConvertible {
    case invalidOption(option: String, value: String, reason: String)
    case templateNotFound(name: String, searched: [String])
    case templateSyntax(file: String, line: Int, reason: String)
    case unknownVariable(file: String, line: Int, name: String)
    case unknownPartial(file: String, line: Int, name: String)
    case writeFailed(path: String, reason: String)
    case sizing(reason: String)

    public var description: String {
        switch self {
        case .invalidOption(let option, let value, let reason):
            return value.isEmpty ? "\(option): \(reason)" : "\(option) '\(value)': \(reason)"
        case .templateNotFound(let name, let searched):
            return "template '\(name)' not found (looked in: \(searched.joined(separator: ", ")))"
        case .templateSyntax(let file, let line, let reason): return "\(file):\(line): template syntax: \(reason)"
        case .unknownVariable(let file, let line, let name):
            return "\(file):\(line): unknown template variable '\(name)' (see templates/README.md)"
        case .unknownPartial(let file, let line, let name): return "\(file):\(line): unknown partial '\(name)'"
        case .writeFailed(let path, let reason): return "\(path): cannot write: \(reason)"
        case .sizing(let reason): return reason
        }
    }
}
