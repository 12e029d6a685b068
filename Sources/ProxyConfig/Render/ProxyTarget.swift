/// What `wstune render` (and `lint`) works on.
public enum ProxyTarget: String, CaseIterable, Sendable, Codable {
    case nginx
    case haproxy
    case systemd
}
