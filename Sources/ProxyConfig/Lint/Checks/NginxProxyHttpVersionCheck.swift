import Tuning

/// nginx proxies with HTTP/1.0 unless told otherwise; a WebSocket upgrade needs HTTP/1.1.
struct NginxProxyHttpVersionCheck: NginxLintCheck {
    let id = "nginx.proxy-http-version"
    let title = "WebSocket location proxies with HTTP/1.1"
    let rationale =
        "nginx speaks HTTP/1.0 to upstreams by default (proxy_http_version 1.0); the Upgrade handshake needs 1.1, so the backend answers 505 or 400 (nginx docs, WebSocket proxying)"

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        nginx.locations.filter(\.carriesWebSocket).compactMap { loc in
            let d = loc.effective("proxy_http_version")
            let v = d?.args.first ?? "1.0 (default)"
            guard v != "1.1" else { return nil }
            return finding(
                .fail, at: d?.location ?? loc.directive.location,
                current: "proxy_http_version \(v) in location \(loc.path)",
                needed: "1.1", fix: "proxy_http_version 1.1;  (in location \(loc.path))")
        }
    }
}
