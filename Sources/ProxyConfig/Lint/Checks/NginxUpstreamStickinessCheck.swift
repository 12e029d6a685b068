import Tuning

/// Long-polling fallbacks (Socket.IO, SockJS, SignalR) need every request of a session on one backend.
struct NginxUpstreamStickinessCheck: NginxLintCheck {
    let id = "nginx.upstream-stickiness"
    let title = "Sticky upstream where long-polling fallbacks are used"
    let rationale =
        "Socket.IO, SockJS and SignalR fall back to long polling, whose requests of one session must reach the same backend; round robin over several servers breaks the session (400 'Session ID unknown')"

    static let pollingHints = ["socket.io", "sockjs", "signalr", "engine.io", "polling"]

    func evaluate(_ nginx: NginxView, _ r: LintRequirement) -> [Finding] {
        var out: [Finding] = []
        var seen = Set<String>()
        for loc in nginx.locations where Self.pollingHints.contains(where: { loc.path.lowercased().contains($0) }) {
            guard let name = loc.upstreamName, !seen.contains(name), let up = nginx.upstream(name) else { continue }
            seen.insert(name)
            guard up.children("server").count > 1,
                !["ip_hash", "hash", "sticky"].contains(where: { up.first($0) != nil })
            else { continue }
            out.append(
                finding(
                    .info, at: up.location,
                    current:
                        "upstream \(name): \(up.children("server").count) servers, no ip_hash/hash/sticky; location \(loc.path) suggests long polling",
                    needed: "sticky sessions", fix: "ip_hash;  or  hash $remote_addr consistent;  in upstream \(name)"))
        }
        return out
    }
}
