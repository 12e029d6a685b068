import Tuning

/// The classic `map $http_upgrade … { '' close; }` defeats upstream keepalive.
struct NginxMapCloseKeepaliveCheck: NginxLintCheck {
    let id = "nginx.map-close-keepalive"
    let title = "Upgrade map does not send close while upstream keepalive is on"
    let rationale =
        "with upstream keepalive on, a map that turns an empty Upgrade into 'Connection: close' closes every pooled upstream connection after one request; map '' to '' instead"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        var out: [Finding] = []
        for map in nginx.maps where map.args.first == "$http_upgrade" && map.args.count > 1 {
            let variable = map.args[1]
            guard let close = (map.block ?? []).first(where: { $0.args.first?.lowercased() == "close" }) else {
                continue
            }
            let keepaliveUpstreams = nginx.locations.filter {
                $0.header("Connection")?.args.dropFirst().first == variable
            }
            .compactMap { $0.upstreamName.flatMap(nginx.upstream) }
            .filter { $0.first("keepalive") != nil }
            guard let up = keepaliveUpstreams.first else { continue }
            out.append(
                finding(
                    .warn, at: close.location,
                    current: "map \(variable): '\(close.name)' → close, upstream \(up.args.first ?? "") has keepalive",
                    needed: "'' → ''", fix: "in map $http_upgrade \(variable): ''  '';"))
        }
        return out
    }
}
