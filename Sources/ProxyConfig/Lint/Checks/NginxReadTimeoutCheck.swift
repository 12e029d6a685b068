import Tuning

/// An idle WebSocket is cut when nothing arrives from the backend for proxy_read_timeout.
struct NginxReadTimeoutCheck: NginxLintCheck {
    let id = "nginx.read-timeout"
    let title = "proxy_read_timeout outlasts two ping intervals"
    let rationale =
        "nginx closes a proxied WebSocket when the backend sends nothing for proxy_read_timeout (60 s by default); an idle socket between pings is cut and the client sees close 1006"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        let needed = r.pingIntervalSeconds.saturatingMultiplied(by: 2)
        return nginx.locations.filter(\.carriesWebSocket).compactMap { loc in
            let d = loc.effective("proxy_read_timeout")
            let seconds = d.flatMap { $0.args.first.flatMap(DurationParser.nginx) } ?? 60
            guard seconds <= Double(needed) else { return nil }
            return finding(
                .fail, at: d?.location ?? loc.directive.location,
                current: "proxy_read_timeout \(d?.args.first ?? "60s (default)") in location \(loc.path)",
                needed: "> \(needed)s (2 × ping interval \(r.pingIntervalSeconds)s)",
                fix:
                    "proxy_read_timeout \(r.pingIntervalSeconds.saturatingMultiplied(by: 3))s; proxy_send_timeout \(r.pingIntervalSeconds.saturatingMultiplied(by: 3))s;"
            )
            .with(
                FindingValues(
                    observed: .number(Int(max(seconds, 0))), source: "proxy_read_timeout",
                    requirement: Bound(.greater, needed), unit: .seconds))
        }
    }
}
