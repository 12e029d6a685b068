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
        var local: [UInt32]
        var remote: [UInt32]
        var remotePort: UInt16
    }

    /// The census of the current network namespace for `range`.
    public static func read(range: ClosedRange<Int>) throws -> BoundPorts {
        var records: [Record] = []
        records += try dump(family: AF_INET, range: range, optional: false)
        records += try dump(family: AF_INET6, range: range, optional: true)
        return classify(records, range: range, boundOnlyDumped: kernelDumpsBoundOnly())
    }

    /// The reader audit, plan and check hand to `HostSnapshot` for the live root.
    public static let provider: BoundPorts.Live = { try read(range: $0) }

    /// Splits the dump's sockets by what created their port's bind bucket (pure; the tests feed it records).
    static func classify(_ records: [Record], range: ClosedRange<Int>, boundOnlyDumped: Bool) -> BoundPorts {
        var out = BoundPorts(boundOnlyDumped: boundOnlyDumped)
        func bindParity(_ port: Int) -> Bool { (port - range.lowerBound) % 2 == 1 }
        let inRange = records.filter { range.contains($0.port) }
        let connected = inRange.filter { $0.state != closeState && $0.state != listenState }
        var perFlow: [Flow: (odd: Int, even: Int)] = [:]
        var owners: [Int: Int] = [:]
        for r in connected {
            if bindParity(r.port) { perFlow[r.flow, default: (0, 0)].odd += 1 } else { perFlow[r.flow, default: (0, 0)].even += 1 }
            owners[r.port, default: 0] += 1
        }
        for r in inRange where r.state == listenState { out.listening.insert(r.port) }
        for r in inRange where r.state == closeState { out.boundOnly.insert(r.port) }
        // A destination with at most half the range: its bind(0)-parity ports. One with more has filled one
        // half and spilled into the other; which half it filled first says who chose its ports.
        let half = range.count / 2
        for r in connected {
            let f = perFlow[r.flow, default: (0, 0)]
            if f.odd + f.even <= half ? bindParity(r.port) : f.odd > f.even { out.connectedAfterBind.insert(r.port) }
        }
        // bind(0) spills into connect()'s parity once its own half is full: then a connect-parity port with a
        // single socket may be bind()'s too (counted: the safe side); one several sockets share is connect()'s
        // (connect() never shares a bind() bucket).
        let bindHalf = range.count - half
        if out.all.filter(bindParity).count >= bindHalf - bindHalf / 100 {
            for r in connected where !bindParity(r.port) && owners[r.port, default: 0] == 1 {
                guard let f = perFlow[r.flow], f.odd + f.even <= half else { continue }
                out.connectedAfterBind.insert(r.port)
            }
        }
        return out
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

    static func dump(family: Int32, range: ClosedRange<Int>, optional: Bool) throws -> [Record] {
        let socket = try NetlinkSocket(protocol: NETLINK_SOCK_DIAG)
        let request = "SOCK_DIAG_BY_FAMILY dump (\(family == AF_INET ? "AF_INET" : "AF_INET6"), all states, bound)"
        let lo = UInt16(clamping: range.lowerBound), hi = UInt16(clamping: range.upperBound)
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
        var records: [Record] = []
        do {
            try withUnsafeMutablePointer(to: &records) { r in
                try socket.exchange(
                    UnsafeMutableRawPointer(nlh), sequence: seq, request: request, data: UnsafeMutableRawPointer(r),
                    callback: censusCallback)
            }
        } catch SocketDiagError.netlinkUnavailable(_, let e) where e == ENOENT && optional {
            return []
        }
        return records
    }

    /// The record of one inet_diag_msg (family 0, state 1, sport 4, dport 6, src 8..<24, dst 24..<40).
    static func record(_ msg: UnsafeRawPointer) -> Record {
        func words(_ at: Int) -> [UInt32] { (0..<4).map { msg.loadUnaligned(fromByteOffset: at + 4 * $0, as: UInt32.self) } }
        let sport = UInt16(bigEndian: msg.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        let dport = UInt16(bigEndian: msg.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        return Record(
            state: Int(msg.load(fromByteOffset: 1, as: UInt8.self)), port: Int(sport),
            flow: Flow(family: msg.load(as: UInt8.self), local: words(8), remote: words(24), remotePort: dport))
    }
}

/// libmnl calls this for each inet_diag_msg; `data` is the census's record array (C callbacks cannot capture).
private let censusCallback: mnl_cb_t = { nlh, data in
    guard let nlh, let data else { return MNL_CB_ERROR }
    guard nlh.pointee.nlmsg_len >= UInt32(16 + DiagTally.messageSize) else { return MNL_CB_OK }
    data.assumingMemoryBound(to: [BoundPortCensus.Record].self).pointee.append(
        BoundPortCensus.record(UnsafeRawPointer(nlh) + 16))
    return MNL_CB_OK
}
