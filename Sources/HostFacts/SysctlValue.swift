/// A sysctl's text as the kernel prints it, with typed views.
public struct SysctlValue: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Whitespace-normalised text ("1024 65535", "" for an empty list).
    public let text: String

    public init(_ raw: String) {
        text = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    public var description: String { text }

    /// The single integer value, or nil when the value is not one integer.
    public var int: Int? { Int(text) }

    /// All whitespace-separated integers (tcp_mem, tcp_rmem, ip_local_port_range, file-nr), or nil if any is not.
    public var ints: [Int]? {
        let parts = text.split(separator: " ")
        let values = parts.compactMap { Int($0) }
        return values.count == parts.count ? values : nil
    }

    /// Two sysctl texts mean the same value (whitespace and tab differences ignored).
    public func sameValue(as other: SysctlValue) -> Bool { text == other.text }
}
