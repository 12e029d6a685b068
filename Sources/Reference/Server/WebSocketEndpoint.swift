/// The WebSocket paths the server answers.
enum WebSocketEndpoint: UInt8 {
    /// `/ws`: every message comes back to its sender.
    case echo
    /// `/ws/broadcast`: every message goes to every client of this endpoint (in this process).
    case broadcast

    init?(path: String) {
        let bare = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch bare {
        case "/ws": self = .echo
        case "/ws/broadcast": self = .broadcast
        default: return nil
        }
    }

    var path: String { self == .echo ? "/ws" : "/ws/broadcast" }
}
