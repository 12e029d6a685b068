import CNetfilterConntrack
import Glibc

/// The same counting dump through libnetfilter_conntrack (nfct_query NFCT_Q_DUMP), the library `conntrack`
/// itself uses: slower than the raw libmnl walk (it builds an nf_conntrack object per entry) but an independent
/// decoder, selectable with `--conntrack-engine library` and used by the tests to cross-check the raw one.
enum ConntrackLibraryDump {
    static func dumpCounts() throws -> (tcpByState: [Int], byProtocol: [Int]) {
        guard let h = nfct_open(UInt8(CONNTRACK), 0) else {
            throw SocketDiagError.netlinkUnavailable(call: "nfct_open(CONNTRACK)", errno: errno)
        }
        defer { nfct_close(h) }
        var tally = DumpTally()
        var family = UInt32(AF_UNSPEC)
        let rc = withUnsafeMutablePointer(to: &tally) { t -> Int32 in
            nfct_callback_register(
                h, NFCT_T_ALL,
                { _, ct, data in
                    guard let ct, let data else { return Int32(NFCT_CB_CONTINUE) }
                    let t = data.assumingMemoryBound(to: DumpTally.self)
                    let proto = nfct_get_attr_u8(ct, ATTR_L4PROTO)
                    if proto == DiagTally.tcpProtocol && nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0 {
                        t.pointee.tcpStates[Int(nfct_get_attr_u8(ct, ATTR_TCP_STATE)) & 15] += 1
                    }
                    t.pointee.protocols[Int(proto)] += 1
                    return Int32(NFCT_CB_CONTINUE)
                }, UnsafeMutableRawPointer(t))
            return nfct_query(h, NFCT_Q_DUMP, &family)
        }
        if rc < 0 {
            throw SocketDiagError.kernelRefused(request: "nfct_query(NFCT_Q_DUMP)", errno: errno)
        }
        return (tally.tcpStates, tally.protocols)
    }
}
