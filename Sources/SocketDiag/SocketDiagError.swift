import Glibc

/// Why a netlink query failed: one line naming the call and the errno, as the CLI prints it.
public enum SocketDiagError: Error, Equatable, CustomStringConvertible {
    /// netlink (or the sock_diag / ctnetlink family) is not available here: the CLI exits 2 on this.
    case netlinkUnavailable(call: String, errno: Int32)
    /// A system call on an open netlink socket failed.
    case systemCall(call: String, errno: Int32)
    /// The kernel answered a request with an NLMSG_ERROR.
    case kernelRefused(request: String, errno: Int32)
    /// A reply did not have the shape the request implies.
    case malformedReply(request: String, reason: String)
    /// A filter cannot be expressed (for example more ports than the bytecode can hold).
    case invalidFilter(String)

    public var description: String {
        switch self {
        case .netlinkUnavailable(let call, let e):
            return "netlink is not available (\(call): \(SocketDiagError.text(e)))"
        case .systemCall(let call, let e):
            return "\(call) failed: \(SocketDiagError.text(e))"
        case .kernelRefused(let request, let e):
            return "the kernel refused \(request): \(SocketDiagError.text(e))"
        case .malformedReply(let request, let reason):
            return "malformed reply to \(request): \(reason)"
        case .invalidFilter(let reason):
            return "invalid filter: \(reason)"
        }
    }

    static func text(_ e: Int32) -> String { String(cString: strerror(e)) }
}
