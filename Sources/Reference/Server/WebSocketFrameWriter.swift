import NIOCore

/// Encodes server frames (unmasked, RFC 6455 §5.2) into one buffer: header and payload together, so a
/// frame is one write and a broadcast frame can be shared by every receiver without copying.
enum WebSocketFrameWriter {
    static func headerLength(payloadLength: Int) -> Int {
        payloadLength < 126 ? 2 : (payloadLength <= 0xFFFF ? 4 : 10)
    }

    /// `compressed` sets RSV1 (a permessage-deflate message in one frame).
    static func frame(
        opcode: UInt8, payload: ByteBuffer, allocator: ByteBufferAllocator, compressed: Bool = false
    ) -> ByteBuffer {
        let n = payload.readableBytes
        var out = allocator.buffer(capacity: headerLength(payloadLength: n) + n)
        writeHeader(into: &out, opcode: opcode, length: n, rsv1: compressed)
        var payload = payload
        out.writeBuffer(&payload)
        return out
    }

    static func writeHeader(into out: inout ByteBuffer, opcode: UInt8, length n: Int, rsv1: Bool = false) {
        out.writeInteger(0x80 | (rsv1 ? 0x40 : 0) | opcode, as: UInt8.self)
        if n < 126 {
            out.writeInteger(UInt8(n))
        } else if n <= 0xFFFF {
            out.writeInteger(UInt8(126))
            out.writeInteger(UInt16(n))
        } else {
            out.writeInteger(UInt8(127))
            out.writeInteger(UInt64(n))
        }
    }

    /// A close frame with a status code and a short reason (truncated to fit the 125-byte control limit).
    static func close(code: UInt16, reason: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let reasonBytes = Array(reason.utf8.prefix(123))
        var out = allocator.buffer(capacity: 4 + reasonBytes.count)
        writeHeader(into: &out, opcode: WebSocketFrameHeader.close, length: 2 + reasonBytes.count)
        out.writeInteger(code)
        out.writeBytes(reasonBytes)
        return out
    }
}
