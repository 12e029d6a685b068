import Tuning

/// Upgrade and Connection are hop-by-hop: nginx drops them unless the location passes them on.
struct NginxUpgradeHeadersCheck: NginxLintCheck {
    let id = "nginx.upgrade-headers"
    let title = "WebSocket location passes Upgrade and Connection"
    let rationale =
        "Upgrade and Connection are hop-by-hop headers that nginx does not forward; without proxy_set_header Upgrade $http_upgrade and Connection $connection_upgrade the backend sees a plain GET and answers 426 or 400"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        nginx.locations.filter(\.carriesWebSocket).compactMap { (loc: NginxProxyLocation) -> Finding? in
            let missing = ["Upgrade", "Connection"].filter { loc.header($0) == nil }
            guard !missing.isEmpty else { return nil }
            // Set further out but masked by this location's own proxy_set_header: nginx.header-inheritance says so.
            let outer = loc.chain.dropLast().flatMap { $0.children("proxy_set_header") }.compactMap {
                $0.args.first?.lowercased()
            }
            if loc.headers?.level == loc.directive, missing.contains(where: { outer.contains($0.lowercased()) }) {
                return nil
            }
            return finding(
                .fail, at: loc.directive.location,
                current: "no \(missing.joined(separator: " or ")) header in location \(loc.path)",
                needed: "Upgrade and Connection passed on",
                fix:
                    "proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;  (with map $http_upgrade $connection_upgrade { default upgrade; '' ''; })"
            )
        }
    }
}
