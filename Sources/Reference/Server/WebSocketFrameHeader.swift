import NIOCore
import NIOWebSocket

/// One parsed WebSocket frame header (RFC 6455 §5.2).
///
/// Hand-written rather than NIO's `WebSocketFrameDecoder`: that decoder runs inside a `ByteToMessageHandler`,
/// which is one more pipeline stage per connection and keeps its own accumulation buffer; parsing the header
/// in the connection's one handler keeps an idle connection at a single handler with no buffer at all.
struct WebSocketFrameHeader: Equatable {
    var fin: Bool
    /// RSV1: the message is compressed (permessage-deflate; only on a message's first frame).
    var rsv1 = false
    var opcode: UInt8
    var maskKey: WebSocketMaskingKey?
    var payloadLength: Int
    /// Bytes the header itself took (2…14).
    var headerLength: Int

    static let continuation: UInt8 = 0x0
    static let text: UInt8 = 0x1
    static let binary: UInt8 = 0x2
    static let close: UInt8 = 0x8
    static let ping: UInt8 = 0x9
    static let pong: UInt8 = 0xA

    var isControl: Bool { opcode & 0x8 != 0 }

    enum ParseResult: Equatable {
        /// Not enough bytes yet for the whole header.
        case needMoreBytes
        case header(WebSocketFrameHeader)
        /// The frame breaks the protocol; close with this code.
        case violation(code: UInt16, reason: String)
    }

    /// Parses the header at the reader index of `buffer` without moving it. Client frames must be masked,
    /// carry no RSV bits (RSV1 only with permessage-deflate, on text, binary or continuation frames: the
    /// caller checks it is a message's first) and a known opcode; control frames must be final and at most
    /// 125 bytes.
    static func parse(_ buffer: ByteBuffer, allowRSV1: Bool = false) -> ParseResult {
        let readable = buffer.readableBytes
        guard readable >= 2, let b0 = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let b1 = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self)
        else { return .needMoreBytes }
        let fin = b0 & 0x80 != 0
        let opcode = b0 & 0x0F
        let rsv1 = b0 & 0x40 != 0
        if b0 & 0x30 != 0 || (rsv1 && (!allowRSV1 || opcode & 0x8 != 0)) {
            return .violation(code: WebSocketCloseCode.protocolError, reason: "reserved bits set")
        }
        switch opcode {
        case continuation, text, binary, close, ping, pong: break
        default: return .violation(code: WebSocketCloseCode.protocolError, reason: "unknown opcode \(opcode)")
        }
        let masked = b1 & 0x80 != 0
        if !masked { return .violation(code: WebSocketCloseCode.protocolError, reason: "client frame not masked") }
        var length = Int(b1 & 0x7F)
        var offset = 2
        if length == 126 {
            guard readable >= offset + 2, let l = buffer.getInteger(at: buffer.readerIndex + offset, as: UInt16.self)
            else { return .needMoreBytes }
            length = Int(l)
            offset += 2
        } else if length == 127 {
            guard readable >= offset + 8, let l = buffer.getInteger(at: buffer.readerIndex + offset, as: UInt64.self)
            else { return .needMoreBytes }
            if l & (1 << 63) != 0 {
                return .violation(code: WebSocketCloseCode.protocolError, reason: "64-bit length has its top bit set")
            }
            // Lengths beyond Int32 are refused later as too big; clamp so arithmetic cannot overflow.
            length = Int(min(l, UInt64(Int32.max)))
            offset += 8
        }
        let isControl = opcode & 0x8 != 0
        if isControl && !fin {
            return .violation(code: WebSocketCloseCode.protocolError, reason: "fragmented control frame")
        }
        if isControl && length > 125 {
            return .violation(code: WebSocketCloseCode.protocolError, reason: "control frame over 125 bytes")
        }
        guard readable >= offset + 4, let key = buffer.getBytes(at: buffer.readerIndex + offset, length: 4),
            let mask = WebSocketMaskingKey(key)
        else { return .needMoreBytes }
        offset += 4
        return .header(
            WebSocketFrameHeader(
                fin: fin, rsv1: rsv1, opcode: opcode, maskKey: mask, payloadLength: length, headerLength: offset))
    }
}
