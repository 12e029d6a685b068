import CMnl
import CSockDiag

/// Walks netlink attributes (struct nlattr, 4-byte aligned) in a byte range. Hand-written because libmnl's
/// iterator is the macro `mnl_attr_for_each`, which Swift cannot import; a closure walk also keeps the
/// conntrack dump's hot path free of C callbacks per attribute.
enum NetlinkAttributes {
    static let typeMask = wst_nla_type_mask()

    @inline(__always)
    static func forEach(
        _ start: UnsafeRawPointer, length: Int,
        _ body: (_ type: UInt16, _ payload: UnsafeRawPointer, _ payloadLength: Int) -> Void
    ) {
        var offset = 0
        while offset + 4 <= length {
            let len = Int(start.load(fromByteOffset: offset, as: UInt16.self))
            let type = start.load(fromByteOffset: offset + 2, as: UInt16.self) & typeMask
            guard len >= 4, offset + len <= length else { return }
            body(type, start + offset + 4, len - 4)
            offset += (len + 3) & ~3
        }
    }

    /// A big-endian u32 attribute payload (ctnetlink sends its counters in network order).
    @inline(__always)
    static func bigEndianUInt32(_ payload: UnsafeRawPointer, _ length: Int) -> UInt32? {
        length >= 4 ? UInt32(bigEndian: payload.loadUnaligned(as: UInt32.self)) : nil
    }
}
