/// Why a WebSocket upgrade (or a request) was refused; the label of `wstune_handshakes_refused_total`.
public enum RefusalReason: String, Sendable, CaseIterable, Error {
    /// `Origin` not on the `--allow-origin` list: 403.
    case origin
    /// `--max-connections` reached: 503.
    case capacity
    /// The server is draining: 503.
    case draining
    /// No WebSocket endpoint at that path: 404.
    case notFound = "not_found"
    /// A malformed upgrade (missing key, wrong version, bad HTTP): 400.
    case badRequest = "bad_request"
    /// The HTTP phase outlived `--http-deadline` (slowloris): connection closed.
    case timeout

    var httpStatus: (code: Int, phrase: String) {
        switch self {
        case .origin: return (403, "Forbidden")
        case .capacity, .draining: return (503, "Service Unavailable")
        case .notFound: return (404, "Not Found")
        case .badRequest: return (400, "Bad Request")
        case .timeout: return (408, "Request Timeout")
        }
    }
}
