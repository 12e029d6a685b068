import CZlib
import NIOCore

/// One connection's permessage-deflate compressor and decompressor (zlib raw deflate, RFC 7692 §7.2). The zlib
/// streams are made on the first message that needs them; a side without context takeover frees its stream
/// after each message, so an idle connection holds only the settings. zlib is used through Debian's
/// zlib1g-dev (CZlib): no Swift package wraps it for Linux with a raw-deflate sync-flush API.
public final class DeflateCodec {
    enum Failure: Error, Equatable {
        /// The inflated message is over `--max-message`.
        case tooBig
        /// The payload is not valid deflate data.
        case corrupt
    }

    let settings: PerMessageDeflateSettings
    private var compressor: ZlibStream?
    private var decompressor: ZlibStream?

    init(settings: PerMessageDeflateSettings) {
        self.settings = settings
    }

    /// zlib state one connection keeps between messages with context takeover both ways at 15-bit windows
    /// (what browsers negotiate), by zlib.h's memory formula: deflate 2^17 + 2^17, inflate 2^15 + ~7 KB.
    public static let contextTakeoverBytesPerConnection = (1 << 17) + (1 << 17) + (1 << 15) + 7 * 1024

    /// Bytes zlib holds for this connection now (deflate: window + hash tables; inflate: window + state).
    var heldBytes: Int { (compressor?.heldBytes ?? 0) + (decompressor?.heldBytes ?? 0) }

    /// Compresses one message (§7.2.1): sync flush, the trailing 00 00 FF FF removed.
    func compress(_ payload: ByteBuffer, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        guard let z = compressor ?? ZlibStream(deflateWindowBits: settings.serverMaxWindowBits) else {
            throw Failure.corrupt
        }
        compressor = settings.serverNoContextTakeover ? nil : z
        var out = try z.run(Array(payload.readableBytesView), flush: Z_SYNC_FLUSH, limit: Int.max)
        if out.count >= 4 && out.suffix(4) == [0x00, 0x00, 0xFF, 0xFF] { out.removeLast(4) }
        if out.isEmpty { out = [0x00] }  // an empty message compresses to one empty stored block (§7.2.3.6)
        var buffer = allocator.buffer(capacity: out.count)
        buffer.writeBytes(out)
        return buffer
    }

    /// Decompresses one message (§7.2.2): 00 00 FF FF appended, output bounded by `limit` bytes.
    func decompress(_ payload: ByteBuffer, limit: Int, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        guard let z = decompressor ?? ZlibStream(inflateWindowBits: 15) else { throw Failure.corrupt }
        decompressor = settings.clientNoContextTakeover ? nil : z
        var input = Array(payload.readableBytesView)
        input.append(contentsOf: [0x00, 0x00, 0xFF, 0xFF])
        let out = try z.run(input, flush: Z_SYNC_FLUSH, limit: limit)
        var buffer = allocator.buffer(capacity: out.count)
        buffer.writeBytes(out)
        return buffer
    }
}

/// A zlib stream at a fixed address (zlib keeps a pointer back to it), ended when released.
final class ZlibStream {
    private let stream: UnsafeMutablePointer<z_stream>
    private let deflating: Bool
    let heldBytes: Int

    init?(deflateWindowBits bits: Int) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        deflating = true
        // memLevel 8 (zlib's default): 2^(bits+2) + 2^(8+9) bytes of state, per zlib.h's memory note.
        heldBytes = (1 << (bits + 2)) + (1 << 17)
        let status = deflateInit2_(
            stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -Int32(bits), 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        if status != Z_OK {
            stream.deallocate()
            return nil
        }
    }

    init?(inflateWindowBits bits: Int) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        deflating = false
        heldBytes = (1 << bits) + 7 * 1024
        if inflateInit2_(stream, -Int32(bits), zlibVersion(), Int32(MemoryLayout<z_stream>.size)) != Z_OK {
            stream.deallocate()
            return nil
        }
    }

    deinit {
        if deflating { deflateEnd(stream) } else { inflateEnd(stream) }
        stream.deallocate()
    }

    /// Feeds all of `input` with `flush` and returns what came out; throws `.tooBig` past `limit` bytes.
    func run(_ input: [UInt8], flush: Int32, limit: Int) throws -> [UInt8] {
        var input = input
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        return try input.withUnsafeMutableBufferPointer { inp in
            stream.pointee.next_in = inp.baseAddress
            stream.pointee.avail_in = uInt(inp.count)
            defer {
                stream.pointee.next_in = nil
                stream.pointee.avail_in = 0
            }
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { c -> (Int32, Int) in
                    stream.pointee.next_out = c.baseAddress
                    stream.pointee.avail_out = uInt(c.count)
                    let s = deflating ? deflate(stream, flush) : inflate(stream, flush)
                    let n = c.count - Int(stream.pointee.avail_out)
                    stream.pointee.next_out = nil
                    stream.pointee.avail_out = 0
                    return (s, n)
                }
                if produced > 0 {
                    if out.count + produced > limit { throw DeflateCodec.Failure.tooBig }
                    out.append(contentsOf: chunk[0..<produced])
                }
                switch status {
                case Z_OK:
                    // Done once all input is in and zlib had room to spare (nothing more is pending).
                    if stream.pointee.avail_in == 0 && produced < chunk.count { return out }
                case Z_BUF_ERROR:
                    return out  // no progress possible: all input consumed and flushed
                case Z_STREAM_END:
                    // The peer ended the deflate stream (a final block): start a fresh one for later messages.
                    if !deflating { inflateReset(stream) }
                    if stream.pointee.avail_in == 0 { return out }
                default:
                    throw DeflateCodec.Failure.corrupt
                }
            }
        }
    }
}
