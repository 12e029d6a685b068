import Foundation
import Mustache

/// Renders `templates/NAME.mustache` with a context, strictly: every variable, section and partial a template
/// names must exist in the context (or the library), anywhere in the template, rendered branch or not. A
/// typo is an error naming file and line, never a silent blank (plain Mustache renders a blank).
public struct TemplateRenderer: Sendable {
    /// Searched in order; the first holding NAME.mustache wins (so `--templates DIR` overrides any one file).
    public let directories: [String]

    public init(directories: [String]) {
        self.directories = directories
    }

    /// Renders template `name` with `context` (a dictionary of strings, numbers, booleans, lists of dictionaries).
    public func render(_ name: String, context: [String: Any]) throws -> String {
        var sources: [String: (path: String, text: String)] = [:]
        try check(name, scopes: [context], sources: &sources, depth: 0)
        var library = MustacheLibrary()
        for (templateName, source) in sources {
            // Config files are not HTML: no escaping of quotes, '<' or '&'.
            let text = "{{%CONTENT_TYPE:TEXT}}\n" + source.text
            do {
                library.register(try MustacheTemplate(string: text), named: templateName)
            } catch let error as MustacheTemplate.ParserError {
                throw RenderError.templateSyntax(
                    file: source.path, line: max(error.context.lineNumber - 1, 1),
                    reason: "\(error.error)")
            }
        }
        guard let out = library.render(context, withTemplate: name) else {
            throw RenderError.templateNotFound(name: name, searched: directories)
        }
        return out
    }

    /// Path and text of template `name`.
    public func source(_ name: String) throws -> (path: String, text: String) {
        for dir in directories {
            let path = (dir as NSString).appendingPathComponent("\(name).mustache")
            if let data = FileManager.default.contents(atPath: path) {
                guard let text = String(data: data, encoding: .utf8) else {
                    throw RenderError.templateSyntax(file: path, line: 1, reason: "not UTF-8 text")
                }
                return (path, text)
            }
        }
        throw RenderError.templateNotFound(name: name, searched: directories)
    }

    private func check(
        _ name: String, scopes: [[String: Any]], sources: inout [String: (path: String, text: String)],
        depth: Int
    ) throws {
        let src = try sources[name] ?? source(name)
        sources[name] = src
        guard depth < 16 else {
            throw RenderError.templateSyntax(file: src.path, line: 1, reason: "partials nest deeper than 16 (a cycle?)")
        }
        var stack = scopes
        var open: [String] = []
        for tag in try TemplateTag.scan(src.text, file: src.path) {
            switch tag.kind {
            case .comment, .pragma: continue
            case .variable:
                guard tag.name == "." && open.count > 0 || Self.lookup(tag.name, in: stack) != nil else {
                    throw RenderError.unknownVariable(file: src.path, line: tag.line, name: tag.name)
                }
            case .section, .invertedSection:
                guard let value = Self.lookup(tag.name, in: stack) else {
                    throw RenderError.unknownVariable(file: src.path, line: tag.line, name: tag.name)
                }
                open.append(tag.name)
                stack.append(tag.kind == .section ? Self.scope(of: value) : [:])
            case .sectionEnd:
                guard open.last == tag.name else {
                    throw RenderError.templateSyntax(
                        file: src.path, line: tag.line,
                        reason: "'{{/\(tag.name)}}' closes '\(open.last ?? "nothing")'")
                }
                open.removeLast()
                stack.removeLast()
            case .partial:
                do {
                    try check(tag.name, scopes: stack, sources: &sources, depth: depth + 1)
                } catch RenderError.templateNotFound(let missing, _) where missing == tag.name {
                    throw RenderError.unknownPartial(file: src.path, line: tag.line, name: tag.name)
                }
            }
        }
        if let unclosed = open.last {
            throw RenderError.templateSyntax(file: src.path, line: 1, reason: "section '\(unclosed)' is never closed")
        }
    }

    /// Resolves a dotted name the way Mustache does: the first part up the scope stack, the rest inside it.
    static func lookup(_ name: String, in stack: [[String: Any]]) -> Any? {
        let parts = name.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        for scope in stack.reversed() {
            guard var value = scope[first] else { continue }
            for part in parts.dropFirst() {
                guard let next = (value as? [String: Any])?[part] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }

    /// The names a section over `value` adds: a dictionary's keys, or every key of a list's dictionaries.
    static func scope(of value: Any) -> [String: Any] {
        if let dict = value as? [String: Any] { return dict }
        if let list = value as? [[String: Any]] {
            return list.reduce(into: [:]) { acc, item in acc.merge(item) { a, _ in a } }
        }
        return [:]
    }
}
