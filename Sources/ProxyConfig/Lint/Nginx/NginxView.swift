/// What the nginx checks look at, gathered once from a parsed config: proxying locations with their inheritance
/// chains, upstreams and `map`s.
public struct NginxView: Sendable {
    public let config: NginxConfig
    public let locations: [NginxProxyLocation]
    public let upstreams: [NginxDirective]
    public let maps: [NginxDirective]

    public init(_ config: NginxConfig, requirement: LintRequirement) {
        self.config = config
        var locations: [NginxProxyLocation] = []
        var upstreams: [NginxDirective] = []
        var maps: [NginxDirective] = []
        for http in config.httpBlocks {
            upstreams += http.children("upstream")
            maps += http.children("map")
            for server in http.children("server") {
                var found: [NginxProxyLocation] = []
                func walk(_ chain: [NginxDirective]) {
                    for loc in chain.last!.children("location") {
                        let c = chain + [loc]
                        let candidate = NginxProxyLocation(chain: c, carriesWebSocket: false)
                        if candidate.proxyPass != nil { found.append(candidate) }
                        walk(c)
                    }
                }
                walk([http, server])
                // WebSockets go through a location that sets Upgrade, whose path looks like the WebSocket one,
                // or the catch-all "/" when no other location of the server claims them.
                func claims(_ l: NginxProxyLocation) -> Bool {
                    l.directive.children("proxy_set_header").contains { $0.args.first?.lowercased() == "upgrade" }
                        || requirement.looksLikeWebSocket(l.path)
                }
                let anyClaims = found.contains(where: claims)
                for var l in found {
                    l.carriesWebSocket = claims(l) || (!anyClaims && l.directive.args == ["/"])
                    locations.append(l)
                }
            }
        }
        self.locations = locations
        self.upstreams = upstreams
        self.maps = maps
    }

    /// The upstream block named `name`.
    public func upstream(_ name: String) -> NginxDirective? { upstreams.first { $0.args.first == name } }
}
