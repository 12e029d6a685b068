import Tuning

/// `Connection "upgrade"` on every request of a location that also serves plain HTTP.
struct NginxConnectionHardcodedCheck: NginxLintCheck {
    let id = "nginx.connection-hardcoded"
    let title = "Connection is not hard-coded to upgrade where plain HTTP passes"
    let rationale =
        "proxy_set_header Connection \"upgrade\" sends 'Connection: upgrade' without an Upgrade header on every plain request of the location: backends may answer 400, and upstream keepalive is defeated; map $http_upgrade instead"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        nginx.locations.compactMap { loc in
            guard let c = loc.header("Connection"), c.args.count > 1, c.args[1].lowercased() == "upgrade" else {
                return nil
            }
            // A location only WebSockets reach (its path looks like the WebSocket one) may hard-code it.
            guard !r.looksLikeWebSocket(loc.path) else { return nil }
            return finding(
                .warn, at: c.location,
                current: "Connection \"upgrade\" in location \(loc.path), which also serves plain HTTP",
                needed: "Connection $connection_upgrade",
                fix:
                    "map $http_upgrade $connection_upgrade { default upgrade; '' ''; }  and  proxy_set_header Connection $connection_upgrade;"
            )
        }
    }
}
