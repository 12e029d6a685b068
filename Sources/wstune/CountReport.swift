import Foundation
import SocketDiag

/// What `count` reports, built from the library's values; renders as JSON (Encodable), Prometheus text or tables.
struct CountReport: Encodable {
    struct Filter: Encodable {
        let ports: [UInt16]
        let side: String
        let states: [String]
        let families: [String]
    }
    /// One row of a per-port or per-peer table; one shape for `byPort`, `byPeer` and `establishedByPort`.
    struct Row: Encodable {
        let key: String
        /// The port as a number (per-port rows).
        var port: Int? = nil
        /// The peer address (per-peer rows).
        var address: String? = nil
        let sockets: Int
    }
    struct Queue: Encodable {
        let thresholdBytes: UInt32
        let receiveQueueOver: Int
        let sendQueueOver: Int
        let sendQueueNonEmpty: Int
        let largestReceiveQueueBytes: UInt32
        let largestSendQueueBytes: UInt32
    }
    var schemaVersion = 2
    let filter: Filter
    /// Sockets matching the filter in the asked states (the number printed with no --by).
    let matching: Int
    let byState: [String: Int]
    let byPort: [Row]?
    let byPeer: [Row]?
    /// Established sockets per filter port (only when --port was given).
    let establishedByPort: [Row]?
    let queue: Queue
    let conntrack: ConntrackReport?

    init(query: SocketQuery, counts: SocketCounts, conntrack c: ConntrackSummary?, topRows: Int) {
        filter = Filter(
            ports: query.ports, side: query.remote ? "remote" : "local",
            states: query.states.sorted().map(\.name), families: query.families.map(\.rawValue))
        matching = counts.total
        byState = Dictionary(uniqueKeysWithValues: counts.byState.map { ($0.key.name, $0.value) })
        byPort =
            query.grouping == .port
            ? counts.byPort.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(topRows)
                .map { Row(key: String($0.key), port: Int($0.key), sockets: $0.value) }
            : nil
        byPeer =
            query.grouping == .peer
            ? counts.byPeer.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(topRows)
                .map { Row(key: $0.key.description, address: $0.key.description, sockets: $0.value) }
            : nil
        establishedByPort =
            query.ports.isEmpty
            ? nil
            : query.ports.map { Row(key: String($0), port: Int($0), sockets: counts.establishedByPort[$0] ?? 0) }
        let q = counts.queue
        queue = Queue(
            thresholdBytes: q.thresholdBytes, receiveQueueOver: q.receiveQueueOver,
            sendQueueOver: q.sendQueueOver, sendQueueNonEmpty: q.sendQueueNonEmpty,
            largestReceiveQueueBytes: q.largestReceiveQueueBytes, largestSendQueueBytes: q.largestSendQueueBytes)
        conntrack = c.map(ConntrackReport.init)
    }

    /// A table (by state, port or peer), then queue pressure and conntrack lines.
    func text(grouping: SocketQuery.Grouping?, terminal: Terminal) -> String {
        var out = ""
        func table(_ title: String, _ rows: [(String, Int)]) {
            let width = max(title.count, rows.map(\.0.count).max() ?? 0)
            out +=
                terminal.paint(title.padding(toLength: width, withPad: " ", startingAt: 0) + "  SOCKETS", .bold) + "\n"
            for (k, v) in rows { out += k.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(v)\n" }
        }
        switch grouping {
        case .state:
            table("STATE", TCPState.allCases.compactMap { s in byState[s.name].map { (s.name, $0) } })
        case .port:
            table("PORT", (byPort ?? []).map { ($0.key, $0.sockets) })
        case .peer:
            table("PEER", (byPeer ?? []).map { ($0.key, $0.sockets) })
        case nil:
            break
        }
        if grouping != nil { out += "\n" }
        out +=
            "queue pressure: \(queue.receiveQueueOver) established with more than \(queue.thresholdBytes) bytes unread, "
            + "\(queue.sendQueueOver) with more than \(queue.thresholdBytes) bytes unsent; "
            + "largest unread \(queue.largestReceiveQueueBytes) B, largest unsent \(queue.largestSendQueueBytes) B\n"
        if let c = conntrack { out += c.text(terminal: terminal) }
        return out
    }
}
