import Foundation

/// `ss` (iproute2) as the independent oracle for which local ports have sockets.
public enum SSOracle {
    /// The local ports of every row `ss ARGS` prints (ARGS should include -H and -n); throws when ss fails.
    public static func localPorts(_ arguments: [String]) throws -> Set<Int> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ss"] + arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(
                domain: "ss", code: Int(p.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "ss \(arguments.joined(separator: " ")) failed"])
        }
        var ports = Set<Int>()
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count >= 4, let c = f[3].lastIndex(of: ":"), let port = Int(f[3][f[3].index(after: c)...]) {
                ports.insert(port)
            }
        }
        return ports
    }
}
