import CMnl
import Glibc
import HostFacts

/// Counts the ports of ip_local_port_range that connect()'s own port choice skips because bind() holds them (see
/// HostFacts' `BoundPorts`): one sock_diag dump per family asking for every state plus TCPF_BOUND_INACTIVE (Linux
/// ≥ 6.7 then also walks the bind hash and reports bound-only sockets as TCP_CLOSE; net/ipv4/tcp_diag.c), with
/// a bytecode filter keeping only local ports inside the range.
public enum BoundPortCensus {
    /// TCP_BOUND_INACTIVE (include/net/tcp_states.h): the request bit of bound-only sockets, answered as TCP_CLOSE.
    static let boundInactiveBit: UInt32 = 1 << 13
    static let closeState = 7, listenState = 10

    /// One socket of the dump: its state, local port and the (local address, destination) it is connected to.
    struct Record: Equatable {
        var state: Int
        var port: Int
        var flow: Flow
    }

    /// Local address and remote address:port: connect() picks ports per such destination.
    struct Flow: Hashable {
        var family: UInt8
        var local: (UInt64, UInt64)
        var remote: (UInt64, UInt64)
        var remotePort: UInt16

        static func == (a: Flow, b: Flow) -> Bool {
            a.family == b.family && a.local == b.local && a.remote == b.remote && a.remotePort == b.remotePort
        }
        func hash(into h: inout Hasher) {
            h.combine(family)
            h.combine(local.0)
            h.combine(local.1)
            h.combine(remote.0)
            h.combine(remote.1)
            h.combine(remotePort)
        }
    }

    /// The census of the current network namespace for `range`.
    public static func read(range: ClosedRange<Int>) throws -> BoundPorts {
        var tally = Tally(range: range)
        try dump(family: AF_INET, into: &tally, optional: false)
        try dump(family: AF_INET6, into: &tally, optional: true)
        return tally.result(boundOnlyDumped: kernelDumpsBoundOnly())
    }

    /// The reader check hands to `HostSnapshot` for the live root (its client's ports are connect()'s).
    public static let provider: BoundPorts.Live = { try read(range: $0) }

    /// The reader audit, plan and apply hand in: only when a proxy's upstream connections spend ephemeral ports
    /// (the dump walks every socket in the range; a server-only audit has no use for it).
    public static func provider(proxy: Bool) -> BoundPorts.Live? { proxy ? provider : nil }

    /// Splits sockets by what created their port's bind bucket (pure; the tests feed it records).
    static func classify(_ records: [Record], range: ClosedRange<Int>, boundOnlyDumped: Bool) -> BoundPorts {
        var tally = Tally(range: range)
        for r in records { tally.add(state: r.state, port: r.port, flow: r.flow) }
        return tally.result(boundOnlyDumped: boundOnlyDumped)
    }

    /// What the dump keeps, socket by socket, without an allocation per socket: listeners and bound-only ports,
    /// and for every other socket in the range its port and destination (an index into `flows`).
    struct Tally {
        let range: ClosedRange<Int>
        var listening: Set<Int> = []
        var boundOnly: Set<Int> = []
        var flows: [Flow: Int32] = [:]
        /// Per destination: sockets on ports of bind(0)'s parity (odd offset) and of connect()'s (even).
        var perFlow: [(odd: Int, even: Int)] = []
        /// Sockets per port (index: port − range low end).
        var owners: [Int32]
        var sockets: [(port: Int32, flow: Int32)] = []

        init(range: ClosedRange<Int>) {
            self.range = range
            owners = [Int32](repeating: 0, count: range.count)
        }

        func bindParity(_ port: Int) -> Bool { (port - range.lowerBound) % 2 == 1 }

        mutating func add(state: Int, port: Int, flow: Flow) {
            guard range.contains(port) else { return }
            switch state {
            case listenState: listening.insert(port)
            case closeState: boundOnly.insert(port)
            default:
                let index: Int32
                if let i = flows[flow] {
                    index = i
                } else {
                    index = Int32(perFlow.count)
                    flows[flow] = index
                    perFlow.append((0, 0))
                }
                if bindParity(port) { perFlow[Int(index)].odd += 1 } else { perFlow[Int(index)].even += 1 }
                owners[port - range.lowerBound] += 1
                sockets.append((Int32(port), index))
            }
        }

        func result(boundOnlyDumped: Bool) -> BoundPorts {
            var out = BoundPorts(listening: listening, boundOnly: boundOnly, boundOnlyDumped: boundOnlyDumped)
            // A destination with at most half the range: its bind(0)-parity ports. One with more has filled one
            // half and spilled into the other; which half it filled first says who chose its ports.
            let half = range.count / 2
            for s in sockets {
                let f = perFlow[Int(s.flow)]
                if f.odd + f.even <= half ? bindParity(Int(s.port)) : f.odd > f.even {
                    out.connectedAfterBind.insert(Int(s.port))
                }
            }
            // bind(0) spills into connect()'s parity once its own half is full: then a connect-parity port with a
            // single socket may be bind()'s too (counted: the safe side); one several sockets share is
            // connect()'s (connect() never shares a bind() bucket).
            let bindHalf = range.count - half
            guard out.all.filter(bindParity).count >= bindHalf - bindHalf / 100 else { return out }
            for s in sockets where !bindParity(Int(s.port)) && owners[Int(s.port) - range.lowerBound] == 1 {
                let f = perFlow[Int(s.flow)]
                if f.odd + f.even <= half { out.connectedAfterBind.insert(Int(s.port)) }
            }
            return out
        }
    }

    /// Whether this kernel walks the bind hash for TCPF_BOUND_INACTIVE (Linux 6.7, "tcp: Dump bound-only sockets
    /// in inet_diag"): from the release in /proc/sys/kernel/osrelease.
    static func kernelDumpsBoundOnly() -> Bool {
        guard let fd = fopen("/proc/sys/kernel/osrelease", "r") else { return false }
        defer { fclose(fd) }
        var buf = [CChar](repeating: 0, count: 64)
        guard fgets(&buf, 64, fd) != nil else { return false }
        let text = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let parts = text.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard parts.count == 2 else { return false }
        return parts[0] > 6 || (parts[0] == 6 && parts[1] >= 7)
    }

    static func dump(family: Int32, into tally: inout Tally, optional: Bool) throws {
        let socket = try NetlinkSocket(protocol: NETLINK_SOCK_DIAG)
        let request = "SOCK_DIAG_BY_FAMILY dump (\(family == AF_INET ? "AF_INET" : "AF_INET6"), all states, bound)"
        let lo = UInt16(clamping: tally.range.lowerBound), hi = UInt16(clamping: tally.range.upperBound)
        let bytecode = DiagFilter.and(.portAtLeast(lo, remote: false), .portAtMost(hi, remote: false)).bytecode()
        let capacity = 16 + MemoryLayout<inet_diag_req_v2>.size + 16 + bytecode.count + 16
        let message = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { message.deallocate() }
        memset(message, 0, capacity)
        let seq = socket.nextSequence()
        let nlh = mnl_nlmsg_put_header(message)!
        nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
        nlh.pointee.nlmsg_type = UInt16(SOCK_DIAG_BY_FAMILY)
        nlh.pointee.nlmsg_seq = seq
        let req = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<inet_diag_req_v2>.size)!
            .assumingMemoryBound(to: inet_diag_req_v2.self)
        req.pointee.sdiag_family = UInt8(family)
        req.pointee.sdiag_protocol = DiagTally.tcpProtocol
        req.pointee.idiag_states = 0xFFF | boundInactiveBit
        bytecode.withUnsafeBytes { mnl_attr_put(nlh, UInt16(INET_DIAG_REQ_BYTECODE), $0.count, $0.baseAddress) }
        do {
            try withUnsafeMutablePointer(to: &tally) { r in
                try socket.exchange(
                    UnsafeMutableRawPointer(nlh), sequence: seq, request: request, data: UnsafeMutableRawPointer(r),
                    callback: censusCallback)
            }
        } catch SocketDiagError.netlinkUnavailable(_, let e) where e == ENOENT && optional {
            return
        }
    }

    /// The record of one inet_diag_msg (family 0, state 1, sport 4, dport 6, src 8..<24, dst 24..<40).
    static func record(_ msg: UnsafeRawPointer) -> Record {
        func words(_ at: Int) -> (UInt64, UInt64) {
            (
                msg.loadUnaligned(fromByteOffset: at, as: UInt64.self),
                msg.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self)
            )
        }
        let sport = UInt16(bigEndian: msg.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        let dport = UInt16(bigEndian: msg.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        return Record(
            state: Int(msg.load(fromByteOffset: 1, as: UInt8.self)), port: Int(sport),
            flow: Flow(family: msg.load(as: UInt8.self), local: words(8), remote: words(24), remotePort: dport))
    }
}

/// libmnl calls this for each inet_diag_msg; `data` is the census's tally (C callbacks cannot capture).
private let censusCallback: mnl_cb_t = { nlh, data in
    guard let nlh, let data else { return MNL_CB_ERROR }
    guard nlh.pointee.nlmsg_len >= UInt32(16 + DiagTally.messageSize) else { return MNL_CB_OK }
    let r = BoundPortCensus.record(UnsafeRawPointer(nlh) + 16)
    data.assumingMemoryBound(to: BoundPortCensus.Tally.self).pointee.add(state: r.state, port: r.port, flow: r.flow)
    return MNL_CB_OK
}
