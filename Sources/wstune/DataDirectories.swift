import Foundation

/// Where profiles and templates are found, in this order: the explicit option, $WSTUNE_DATA/<kind>, the install
/// prefix (<prefix>/share/wstune/<kind> where the binary is <prefix>/bin/wstune, then /usr/share/wstune/<kind>),
/// the source checkout this binary was built from, ./<kind>.
enum DataDirectories {
    /// The checkout holding this source file (Sources/wstune/DataDirectories.swift → three levels up).
    static let sourceCheckout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Candidate directories for a kind ("profiles" or "templates"), existing ones only, best first.
    static func candidates(_ kind: String, explicit: String?, in context: CommandContext) -> [String] {
        if let explicit { return [explicit] }
        var out: [String] = []
        if let data = context.environment["WSTUNE_DATA"], !data.isEmpty {
            out.append("\(data)/\(kind)")
        }
        let exePath =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? context.argv0
        let exe = URL(fileURLWithPath: exePath)
        let prefix = exe.deletingLastPathComponent().deletingLastPathComponent().path
        if exe.deletingLastPathComponent().lastPathComponent == "bin" { out.append("\(prefix)/share/wstune/\(kind)") }
        out.append("/usr/share/wstune/\(kind)")
        out.append("\(sourceCheckout)/\(kind)")
        out.append(FileManager.default.currentDirectoryPath + "/\(kind)")
        var isDir: ObjCBool = false
        return out.filter { FileManager.default.fileExists(atPath: $0, isDirectory: &isDir) && isDir.boolValue }
    }

    /// The directory used: the first candidate that exists.
    static func directory(_ kind: String, explicit: String?, in context: CommandContext) -> String? {
        candidates(kind, explicit: explicit, in: context).first
    }
}
