import CMnl
import CNetfilterConntrack
import Glibc

/// ctnetlink over raw libmnl: the global entry count (CT_GET_STATS, as `conntrack -C`), the per-CPU
/// statistics (CT_GET_STATS_CPU, as `conntrack -S`) and a counting dump (IPCTNL_MSG_CT_GET).
enum ConntrackNetlink {
    /// Entries in this namespace's table and, on kernels that send it, nf_conntrack_max.
    static func globalStats() throws -> (entries: Int, maxEntries: Int?) {
        var box = GlobalStats()
        try withUnsafeMutablePointer(to: &box) { p in
            // NLM_F_ACK: without it the kernel sends no closing message and the receive loop would wait forever.
            try request(
                IPCTNL_MSG_CT_GET_STATS, flags: NLM_F_REQUEST | NLM_F_ACK, name: "IPCTNL_MSG_CT_GET_STATS",
                data: UnsafeMutableRawPointer(p)
            ) { nlh, data in
                guard let nlh, let data else { return MNL_CB_ERROR }
                let s = data.assumingMemoryBound(to: GlobalStats.self)
                NetlinkAttributes.forEach(UnsafeRawPointer(nlh) + 20, length: Int(nlh.pointee.nlmsg_len) - 20) {
                    type, payload, length in
                    if type == UInt16(CTA_STATS_GLOBAL_ENTRIES.rawValue) {
                        s.pointee.entries = NetlinkAttributes.bigEndianUInt32(payload, length).map(Int.init)
                    } else if type == UInt16(CTA_STATS_GLOBAL_MAX_ENTRIES.rawValue) {
                        s.pointee.maxEntries = NetlinkAttributes.bigEndianUInt32(payload, length).map(Int.init)
                    }
                }
                return MNL_CB_OK
            }
        }
        guard let entries = box.entries else {
            throw SocketDiagError.malformedReply(
                request: "IPCTNL_MSG_CT_GET_STATS", reason: "no CTA_STATS_GLOBAL_ENTRIES")
        }
        return (entries, box.maxEntries)
    }

    /// The statistics counters summed over CPUs.
    static func cpuStats() throws -> [String: Int] {
        var box = CPUStats()
        try withUnsafeMutablePointer(to: &box) { p in
            try request(
                IPCTNL_MSG_CT_GET_STATS_CPU, flags: NLM_F_REQUEST | NLM_F_DUMP,
                name: "IPCTNL_MSG_CT_GET_STATS_CPU", data: UnsafeMutableRawPointer(p)
            ) { nlh, data in
                guard let nlh, let data else { return MNL_CB_ERROR }
                let s = data.assumingMemoryBound(to: CPUStats.self)
                NetlinkAttributes.forEach(UnsafeRawPointer(nlh) + 20, length: Int(nlh.pointee.nlmsg_len) - 20) {
                    type, payload, length in
                    guard Int(type) < CPUStats.names.count, let name = CPUStats.names[Int(type)],
                        let v = NetlinkAttributes.bigEndianUInt32(payload, length)
                    else { return }
                    s.pointee.sums[name, default: 0] += Int(v)
                }
                return MNL_CB_OK
            }
        }
        return box.sums
    }

    /// Dumps the whole table (all layer-3 families) and counts entries per protocol and TCP entries per state.
    static func dumpCounts() throws -> (tcpByState: [Int], byProtocol: [Int]) {
        var box = DumpTally()
        try withUnsafeMutablePointer(to: &box) { p in
            try request(
                IPCTNL_MSG_CT_GET, flags: NLM_F_REQUEST | NLM_F_DUMP, name: "IPCTNL_MSG_CT_GET dump",
                data: UnsafeMutableRawPointer(p), callback: conntrackEntryCallback)
        }
        return (box.tcpStates, box.protocols)
    }

    private static func request(
        _ message: cntl_msg_types, flags: Int32, name: String, data: UnsafeMutableRawPointer,
        callback: mnl_cb_t
    ) throws {
        let socket = try NetlinkSocket(protocol: NETLINK_NETFILTER)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        defer { buffer.deallocate() }
        memset(buffer, 0, 64)
        let nlh = mnl_nlmsg_put_header(buffer)!
        nlh.pointee.nlmsg_type = UInt16(NFNL_SUBSYS_CTNETLINK << 8) | UInt16(message.rawValue)
        nlh.pointee.nlmsg_flags = UInt16(flags)
        let seq = socket.nextSequence()
        nlh.pointee.nlmsg_seq = seq
        let nfg = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<nfgenmsg>.size)!.assumingMemoryBound(to: nfgenmsg.self)
        nfg.pointee.nfgen_family = UInt8(AF_UNSPEC)
        nfg.pointee.version = UInt8(NFNETLINK_V0)
        nfg.pointee.res_id = 0
        try socket.exchange(UnsafeMutableRawPointer(nlh), sequence: seq, request: name, data: data, callback: callback)
    }
}

private struct GlobalStats {
    var entries: Int?
    var maxEntries: Int?
}

private struct CPUStats {
    var sums: [String: Int] = [:]
    // Indexed by CTA_STATS_* (linux/netfilter/nfnetlink_conntrack.h); nil for the ones no longer used.
    static let names: [String?] = [
        nil, nil, "found", nil, "invalid", nil, nil, nil, "insert", "insert_failed",
        "drop", "early_drop", "error", "search_restart", "clash_resolve", "chaintoolong",
    ]
}

struct DumpTally {
    var tcpStates = [Int](repeating: 0, count: 16)
    var protocols = [Int](repeating: 0, count: 256)
}

/// One conntrack entry: CTA_TUPLE_ORIG › CTA_TUPLE_PROTO › CTA_PROTO_NUM gives the protocol,
/// CTA_PROTOINFO › CTA_PROTOINFO_TCP › CTA_PROTOINFO_TCP_STATE the TCP state.
private let conntrackEntryCallback: mnl_cb_t = { nlh, data in
    guard let nlh, let data else { return MNL_CB_ERROR }
    let t = data.assumingMemoryBound(to: DumpTally.self)
    var proto: UInt8 = 0
    var tcpState: Int = -1
    NetlinkAttributes.forEach(UnsafeRawPointer(nlh) + 20, length: Int(nlh.pointee.nlmsg_len) - 20) { type, p, len in
        if type == UInt16(CTA_TUPLE_ORIG.rawValue) {
            NetlinkAttributes.forEach(p, length: len) { type, p, len in
                guard type == UInt16(CTA_TUPLE_PROTO.rawValue) else { return }
                NetlinkAttributes.forEach(p, length: len) { type, p, len in
                    if type == UInt16(CTA_PROTO_NUM.rawValue), len >= 1 { proto = p.load(as: UInt8.self) }
                }
            }
        } else if type == UInt16(CTA_PROTOINFO.rawValue) {
            NetlinkAttributes.forEach(p, length: len) { type, p, len in
                guard type == UInt16(CTA_PROTOINFO_TCP.rawValue) else { return }
                NetlinkAttributes.forEach(p, length: len) { type, p, len in
                    if type == UInt16(CTA_PROTOINFO_TCP_STATE.rawValue), len >= 1 {
                        tcpState = Int(p.load(as: UInt8.self))
                    }
                }
            }
        }
    }
    if proto == DiagTally.tcpProtocol && tcpState >= 0 { t.pointee.tcpStates[tcpState & 15] += 1 }
    t.pointee.protocols[Int(proto)] += 1
    return MNL_CB_OK
}
