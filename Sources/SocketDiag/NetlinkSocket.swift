import CMnl
import CSockDiag
import Glibc
import HostFacts

/// One libmnl netlink socket, bound, with a receive buffer; closed on deinit. One per thread: not shared.
final class NetlinkSocket {
    private let handle: OpaquePointer
    let portID: UInt32
    /// Receive buffer: the kernel caps a dump message batch at 32 KiB, so MNL_SOCKET_BUFFER_SIZE (>= 8 KiB,
    /// page-sized) is raised to 32 KiB to take a whole batch per recv.
    let buffer: UnsafeMutableRawBufferPointer
    private var sequence: UInt32

    static let receiveBufferBytes = max(32 * 1024, Int(wst_mnl_socket_buffer_size()))

    init(protocol proto: Int32) throws {
        guard let nl = mnl_socket_open(proto) else {
            throw SocketDiagError.netlinkUnavailable(call: "mnl_socket_open(\(proto))", errno: errno)
        }
        if mnl_socket_bind(nl, 0, pid_t(MNL_SOCKET_AUTOPID)) < 0 {
            let e = errno
            mnl_socket_close(nl)
            throw SocketDiagError.netlinkUnavailable(call: "mnl_socket_bind", errno: e)
        }
        handle = nl
        portID = mnl_socket_get_portid(nl)
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: NetlinkSocket.receiveBufferBytes, alignment: 16)
        sequence = UInt32(truncatingIfNeeded: time(nil))
    }

    deinit {
        mnl_socket_close(handle)
        buffer.deallocate()
    }

    /// A fresh sequence number for the next request.
    func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    func send(_ message: UnsafeRawPointer, length: Int, request: String) throws {
        do {
            try Syscall.call("sendto") { mnl_socket_sendto(handle, message, length) }
        } catch {
            throw SocketDiagError.systemCall(call: "sendto(netlink, \(request))", errno: error.errno)
        }
    }

    /// Receives one batch into `buffer`; returns its length.
    func receive(request: String) throws -> Int {
        do {
            return try Syscall.call("recvfrom") { mnl_socket_recvfrom(handle, buffer.baseAddress, buffer.count) }
        } catch {
            throw SocketDiagError.systemCall(call: "recvfrom(netlink, \(request))", errno: error.errno)
        }
    }

    /// Sends `message` and feeds every reply message to `callback` through libmnl's mnl_cb_run until the
    /// kernel ends the exchange (NLMSG_DONE, or the ACK of a non-dump request). `data` is the callback's state
    /// (C callbacks cannot capture).
    func exchange(
        _ message: UnsafeMutableRawPointer, sequence seq: UInt32, request: String,
        data: UnsafeMutableRawPointer?, callback: mnl_cb_t?
    ) throws {
        let header = message.assumingMemoryBound(to: nlmsghdr.self)
        try send(message, length: Int(header.pointee.nlmsg_len), request: request)
        while true {
            let n = try receive(request: request)
            let rc = mnl_cb_run(buffer.baseAddress, n, seq, portID, callback, data)
            if rc == MNL_CB_STOP { return }
            if rc < 0 {
                let e = errno
                if e == ENOENT || e == EOPNOTSUPP || e == EPROTONOSUPPORT {
                    throw SocketDiagError.netlinkUnavailable(call: request, errno: e)
                }
                throw SocketDiagError.kernelRefused(request: request, errno: e)
            }
        }
    }
}
