import Foundation

/// The local addresses the load client binds before connecting. One (source address, destination) pair has
/// only the ephemeral port range's worth of 4-tuples (~28,000 by default); spreading over many loopback
/// sources (127.0.0.2-127.0.0.40) goes past that, as production load generators do.
public struct SourceAddressPool: Sendable, Equatable {
    /// Dotted IPv4 (or IPv6) address strings, in order.
    public let addresses: [String]

    public init(addresses: [String]) {
        self.addresses = addresses
    }

    /// Parses `A`, `A-B` (IPv4, inclusive, at most 65,536 addresses) or a comma-separated list of those.
    public static func parse(_ text: String) throws -> SourceAddressPool {
        var result: [String] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let ends = part.split(separator: "-", maxSplits: 1).map(String.init)
            if ends.count == 1 {
                guard isAddress(ends[0]) else {
                    throw LoadError.invalidSourceRange(text, reason: "'\(ends[0])' is not an IP address")
                }
                result.append(ends[0])
                continue
            }
            guard let low = ipv4Value(ends[0]), let high = ipv4Value(ends[1]) else {
                throw LoadError.invalidSourceRange(
                    text, reason: "a range takes two IPv4 addresses, like 127.0.0.2-127.0.0.40")
            }
            guard low <= high else { throw LoadError.invalidSourceRange(text, reason: "range runs backwards") }
            guard high - low < 65536 else {
                throw LoadError.invalidSourceRange(text, reason: "more than 65,536 addresses")
            }
            for v in low...high { result.append(ipv4String(v)) }
        }
        guard !result.isEmpty else { throw LoadError.invalidSourceRange(text, reason: "no address") }
        return SourceAddressPool(addresses: result)
    }

    /// 127.0.0.2-127.0.0.40: 39 loopback sources, room for about a million connections to one destination.
    public static let loopbackDefault = SourceAddressPool(addresses: (2...40).map { "127.0.0.\($0)" })

    /// The address for the i-th connection (round robin).
    public func address(for index: Int) -> String {
        addresses[index % addresses.count]
    }

    /// Splits the pool into `parts` disjoint pools (for worker processes); when there are fewer addresses
    /// than parts, parts share addresses round robin.
    public func split(into parts: Int) -> [SourceAddressPool] {
        guard parts > 1 else { return [self] }
        if addresses.count >= parts {
            return (0..<parts).map { p in
                SourceAddressPool(addresses: stride(from: p, to: addresses.count, by: parts).map { addresses[$0] })
            }
        }
        return (0..<parts).map { p in SourceAddressPool(addresses: [addresses[p % addresses.count]]) }
    }

    /// The textual form `parse` accepts back.
    public var argument: String { addresses.joined(separator: ",") }

    static func ipv4Value(_ s: String) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard let octet = UInt8(p) else { return nil }
            v = v << 8 | UInt32(octet)
        }
        return v
    }

    static func ipv4String(_ v: UInt32) -> String {
        "\(v >> 24).\(v >> 16 & 0xff).\(v >> 8 & 0xff).\(v & 0xff)"
    }

    static func isAddress(_ s: String) -> Bool {
        if ipv4Value(s) != nil { return true }
        var a6 = in6_addr()
        return inet_pton(AF_INET6, s, &a6) == 1
    }
}
