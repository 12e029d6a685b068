import Tuning

/// proxy_set_header is inherited only by a level that sets none of its own.
struct NginxHeaderInheritanceCheck: NginxLintCheck {
    let id = "nginx.header-inheritance"
    let title = "Upgrade headers are not masked by a location's own proxy_set_header"
    let rationale =
        "proxy_set_header is inherited from the server or http level only when the location sets no proxy_set_header at all; one header in the location (say Host) drops the inherited Upgrade and Connection, and the handshake gets 426"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        nginx.locations.filter(\.carriesWebSocket).compactMap { loc in
            guard let h = loc.headers, h.level == loc.directive else { return nil }
            let missing = ["Upgrade", "Connection"].filter { loc.header($0) == nil }
            let outer = loc.chain.dropLast().flatMap { $0.children("proxy_set_header") }
                .filter { d in missing.contains { $0.lowercased() == d.args.first?.lowercased() } }
            guard let first = outer.first else { return nil }
            return finding(
                .fail, at: h.list[0].location,
                current:
                    "location \(loc.path) sets proxy_set_header, so \(missing.joined(separator: " and ")) from \(first.location) are not inherited",
                needed: "every proxy_set_header repeated in the location",
                fix:
                    "add proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; to location \(loc.path)"
            )
        }
    }
}
