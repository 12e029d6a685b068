/// A `location` that proxies (has `proxy_pass`), with the blocks around it for nginx's inheritance:
/// `chain` is [http, server, outer locations…, this location].
public struct NginxProxyLocation: Sendable, Equatable {
    public var chain: [NginxDirective]
    /// Whether WebSocket traffic may go through it (see `NginxView`).
    public var carriesWebSocket: Bool

    public var directive: NginxDirective { chain[chain.count - 1] }
    public var server: NginxDirective { chain[1] }
    /// The location's path as written (`/ws`, `= /healthz`, `~ ^/socket`).
    public var path: String { directive.args.joined(separator: " ") }

    /// The directive in effect: the innermost level that sets it (nginx's inheritance for simple directives).
    public func effective(_ name: String) -> NginxDirective? {
        for block in chain.reversed() {
            if let d = block.children(name).last { return d }
        }
        return nil
    }

    /// `proxy_set_header`s in effect: all from the innermost level that sets any (inheritance is all or nothing).
    public var headers: (level: NginxDirective, list: [NginxDirective])? {
        for block in chain.reversed() {
            let list = block.children("proxy_set_header")
            if !list.isEmpty { return (block, list) }
        }
        return nil
    }

    /// The effective value of a proxied header (`Upgrade`, `Connection`), case-insensitive.
    public func header(_ name: String) -> NginxDirective? {
        headers?.list.last { $0.args.first?.lowercased() == name.lowercased() }
    }

    /// `proxy_pass` of this location (also inside an `if` block in it).
    public var proxyPass: NginxDirective? {
        directive.first("proxy_pass") ?? directive.children("if").compactMap { $0.first("proxy_pass") }.first
    }

    /// The upstream name `proxy_pass http://NAME` points at.
    public var upstreamName: String? {
        guard let target = proxyPass?.args.first else { return nil }
        let noScheme = target.components(separatedBy: "://").last ?? target
        return noScheme.split(separator: "/").first.map(String.init)
    }
}
