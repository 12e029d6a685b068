import NIOCore

/// What a connection keeps between reads only while a frame has not fully arrived or a fragmented message
/// is being put together. It is a separate object so an idle connection carries one nil pointer instead
/// of two buffer slots.
final class WebSocketReassembly {
    /// Bytes of a frame that has not fully arrived.
    var pending: ByteBuffer?
    /// A fragmented message being reassembled, and its opcode (text or binary).
    var message: ByteBuffer?
    var messageOpcode: UInt8 = 0
    /// The message's first frame had RSV1 (permessage-deflate): inflate it once complete.
    var messageCompressed = false

    var isEmpty: Bool { pending == nil && message == nil }
}
