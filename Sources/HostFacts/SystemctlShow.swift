import Foundation

/// `systemctl show` of one unit: a thin run over a pure `parse`.
public enum SystemctlShow {
    /// The properties audit reads.
    public static let properties = [
        "LoadState", "ActiveState", "MainPID", "LimitNOFILE", "LimitNOFILESoft",
        "FragmentPath", "DropInPaths", "NeedDaemonReload",
    ]

    /// Runs `systemctl show -p … -- UNIT`; nil when systemctl is missing or fails.
    public static func run(unit: String) -> [String: String]? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["systemctl", "show"] + properties.flatMap { ["-p", $0] } + ["--", unit]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// `Key=value` lines into a dictionary (the first `=` splits).
    public static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }

    /// LimitNOFILESoft / LimitNOFILE as a FileLimit (infinity → nil; values past Int.max saturate).
    public static func limit(_ shown: [String: String]) -> FileLimit? {
        func value(_ s: String) -> Int?? {
            if s == "infinity" { return .some(nil) }
            guard let v = UInt64(s) else { return nil }
            return .some(v > UInt64(Int.max) ? Int.max : Int(v))
        }
        guard let h = shown["LimitNOFILE"].flatMap(value), let s = shown["LimitNOFILESoft"].flatMap(value) else {
            return nil
        }
        return FileLimit(soft: s, hard: h)
    }
}
