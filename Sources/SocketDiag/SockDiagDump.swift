import CMnl
import Glibc

/// One sock_diag dump of a query (one family or both, one partition) on its own netlink socket, tallied as the
/// replies arrive. Everything it asks for and tallies comes from `query`.
struct SockDiagDump {
    let query: SocketQuery
    /// nil: both families in one walk (the original inet_diag request, see `dump()`).
    let family: SocketQuery.Family?
    /// Which slice of the peer-port space (`query.filter(partition:)`).
    let partition: Int
    /// A live counter (wst_live) to seed with every socket of the dump (LiveCounter).
    var seed: OpaquePointer?

    init(query: SocketQuery, family: SocketQuery.Family?, partition: Int = 0) {
        self.query = query
        self.family = family
        self.partition = partition
    }

    /// The request as errors name it.
    static let bothFamiliesRequest = "TCPDIAG_GETSOCK dump (both families)"
    var request: String {
        family.map { "SOCK_DIAG_BY_FAMILY dump (\($0 == .ipv4 ? "AF_INET" : "AF_INET6"))" }
            ?? SockDiagDump.bothFamiliesRequest
    }

    /// IPv6 was not asked for by name (both families were): a kernel without it (ipv6.disable=1 leaves no
    /// inet6_diag handler, so the request fails with ENOENT) simply has no such sockets.
    var familyOptional: Bool { family == .ipv6 && query.families.count > 1 }

    /// Runs the dump and returns its tally.
    func run() throws -> SocketCounts {
        do {
            return try dump()
        } catch SocketDiagError.netlinkUnavailable(_, let e) where e == ENOENT && familyOptional {
            return SocketCounts(queue: QueuePressure(thresholdBytes: query.queueThresholdBytes), dumps: 1)
        }
    }

    private func dump() throws -> SocketCounts {
        let socket = try NetlinkSocket(protocol: NETLINK_SOCK_DIAG)
        var tally = DiagTally(query: query)
        tally.seed = seed
        defer { tally.release() }
        let states = query.states.diagMask
        let request = self.request
        let seq = socket.nextSequence()
        let bytecode = query.filter(partition: partition)?.bytecode() ?? []
        // nlmsghdr + request + one attribute: a few hundred bytes unless many ports are given.
        let capacity = 16 + MemoryLayout<inet_diag_req_v2>.size + 16 + bytecode.count + 16
        let message = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { message.deallocate() }
        memset(message, 0, capacity)
        let nlh = mnl_nlmsg_put_header(message)!
        nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
        nlh.pointee.nlmsg_seq = seq
        if let family {
            nlh.pointee.nlmsg_type = UInt16(SOCK_DIAG_BY_FAMILY)
            let req = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<inet_diag_req_v2>.size)!
                .assumingMemoryBound(to: inet_diag_req_v2.self)
            req.pointee.sdiag_family = UInt8(family == .ipv4 ? AF_INET : AF_INET6)
            req.pointee.sdiag_protocol = DiagTally.tcpProtocol
            req.pointee.idiag_ext = 0  // no extension: the counter reads only the fixed inet_diag_msg
            req.pointee.idiag_states = states
        } else {
            // Both families in one walk: the original inet_diag request (TCPDIAG_GETSOCK, struct inet_diag_req),
            // which the kernel answers with family AF_UNSPEC (net/ipv4/inet_diag.c, inet_diag_dump_compat). Each
            // dump walks the whole established hash, so one walk instead of one per family halves the kernel's
            // fixed cost; the replies are the same inet_diag_msg records.
            nlh.pointee.nlmsg_type = UInt16(TCPDIAG_GETSOCK)
            let req = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<inet_diag_req>.size)!
                .assumingMemoryBound(to: inet_diag_req.self)
            req.pointee.idiag_family = UInt8(AF_INET)
            req.pointee.idiag_ext = 0
            req.pointee.idiag_states = states
        }
        if !bytecode.isEmpty {
            bytecode.withUnsafeBytes {
                mnl_attr_put(nlh, UInt16(INET_DIAG_REQ_BYTECODE), $0.count, $0.baseAddress)
            }
        }
        try withUnsafeMutablePointer(to: &tally) { t in
            try socket.exchange(
                UnsafeMutableRawPointer(nlh), sequence: seq, request: request,
                data: UnsafeMutableRawPointer(t), callback: diagMessageCallback)
        }
        return tally.counts(states: states)
    }
}

/// libmnl calls this for each inet_diag_msg of a dump; `data` is the DiagTally (C callbacks cannot capture).
private let diagMessageCallback: mnl_cb_t = { nlh, data in
    guard let nlh, let data else { return MNL_CB_ERROR }
    guard nlh.pointee.nlmsg_len >= UInt32(16 + DiagTally.messageSize) else { return MNL_CB_OK }
    data.assumingMemoryBound(to: DiagTally.self).pointee.add(UnsafeRawPointer(nlh) + 16)
    return MNL_CB_OK
}
