import CMnl

/// A kernel-side socket filter, compiled to the inet_diag bytecode (INET_DIAG_REQ_BYTECODE) the way `ss`
/// compiles its expressions, so `wstune count --port 80 --port 443` sends the same program as
/// `ss '( sport = :80 or sport = :443 )'`. Hand-written: no maintained library builds this bytecode.
public indirect enum DiagFilter: Equatable, Sendable {
    /// `sport = :P` (local side) or `dport = :P` (remote side): an S_COND / D_COND op with an AF_UNSPEC host.
    case port(UInt16, remote: Bool)
    /// `sport >= :P` / `dport >= :P`.
    case portAtLeast(UInt16, remote: Bool)
    /// `sport <= :P` / `dport <= :P`.
    case portAtMost(UInt16, remote: Bool)
    case and(DiagFilter, DiagFilter)
    case or(DiagFilter, DiagFilter)

    /// `ports` on one side, joined with `or`; nil for no ports (no filter at all).
    public static func anyPort(_ ports: [UInt16], remote: Bool) -> DiagFilter? {
        guard var f = ports.first.map({ DiagFilter.port($0, remote: remote) }) else { return nil }
        for p in ports.dropFirst() { f = .or(f, .port(p, remote: remote)) }
        return f
    }

    /// Whether a socket with these ports passes, evaluated in Swift (the reference the tests check the bytecode
    /// against).
    public func matches(localPort: UInt16, remotePort: UInt16) -> Bool {
        switch self {
        case .port(let p, let r): return (r ? remotePort : localPort) == p
        case .portAtLeast(let p, let r): return (r ? remotePort : localPort) >= p
        case .portAtMost(let p, let r): return (r ? remotePort : localPort) <= p
        case .and(let a, let b):
            return a.matches(localPort: localPort, remotePort: remotePort)
                && b.matches(localPort: localPort, remotePort: remotePort)
        case .or(let a, let b):
            return a.matches(localPort: localPort, remotePort: remotePort)
                || b.matches(localPort: localPort, remotePort: remotePort)
        }
    }

    /// The bytecode. Convention (as in ss): a program accepts by running off its end and rejects by jumping
    /// to end + 4; every op's `yes` is its own length, so ops can be walked by `yes`.
    public func bytecode() -> [UInt8] {
        switch self {
        case .port(let p, let remote):
            // struct inet_diag_bc_op + struct inet_diag_hostcond (family AF_UNSPEC, prefix 0, port) + 4 address
            // bytes, exactly as ss emits for `sport = :P`.
            let code = remote ? INET_DIAG_BC_D_COND : INET_DIAG_BC_S_COND
            var b = DiagFilter.op(code: code, yes: 16, no: 20)
            b += [UInt8(AF_UNSPEC), 0, 0, 0]
            b += DiagFilter.int32LE(Int32(p))
            b += [0, 0, 0, 0]
            return b
        case .portAtLeast(let p, let remote):
            return DiagFilter.op(code: remote ? INET_DIAG_BC_D_GE : INET_DIAG_BC_S_GE, yes: 8, no: 12)
                + DiagFilter.op(code: 0, yes: 0, no: p)
        case .portAtMost(let p, let remote):
            return DiagFilter.op(code: remote ? INET_DIAG_BC_D_LE : INET_DIAG_BC_S_LE, yes: 8, no: 12)
                + DiagFilter.op(code: 0, yes: 0, no: p)
        case .or(let a, let b):
            let a1 = a.bytecode()
            let a2 = b.bytecode()
            // a1's failure lands on a2 (l1 + 4); its success falls onto a JMP over a2 to the accepting end.
            return a1 + DiagFilter.op(code: INET_DIAG_BC_JMP, yes: 4, no: UInt16(a2.count + 4)) + a2
        case .and(let a, let b):
            var a1 = a.bytecode()
            let a2 = b.bytecode()
            DiagFilter.relocateRejects(&a1, by: a2.count)
            return a1 + a2
        }
    }

    /// In `code`, ops whose `no` jumps to code.count + 4 (reject) are moved to jump `extra` bytes further (ss's
    /// ssfilter_patch), so the rejection still lands past the end once more code follows.
    static func relocateRejects(_ code: inout [UInt8], by extra: Int) {
        var pos = 0
        while pos + 4 <= code.count {
            let yes = Int(code[pos + 1])
            let no = Int(code[pos + 2]) | Int(code[pos + 3]) << 8
            if pos + no == code.count + 4 {
                let moved = no + extra
                code[pos + 2] = UInt8(moved & 0xff)
                code[pos + 3] = UInt8(moved >> 8)
            }
            guard yes > 0 else { break }
            pos += yes
        }
    }

    static func op<C: BinaryInteger>(code: C, yes: UInt8, no: UInt16) -> [UInt8] {
        [UInt8(code), yes, UInt8(no & 0xff), UInt8(no >> 8)]
    }

    static func int32LE(_ v: Int32) -> [UInt8] {
        let u = UInt32(bitPattern: v)
        return [UInt8(u & 0xff), UInt8((u >> 8) & 0xff), UInt8((u >> 16) & 0xff), UInt8(u >> 24)]
    }
}
