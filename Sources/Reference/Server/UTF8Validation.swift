import NIOCore

/// Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF) over a buffer's
/// readable bytes, without allocating. Hand-written because the standard library only validates while
/// building a `String` (an allocation per text message) and NIO has no validator.
enum UTF8Validation {
    static func isValid(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { isValid($0) }
    }

    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            func cont(_ k: Int) -> UInt8? {
                guard i + k < n else { return nil }
                let b = bytes[i + k]
                return b & 0xC0 == 0x80 ? b : nil
            }
            switch b0 {
            case 0xC2...0xDF:
                guard cont(1) != nil else { return false }
                i += 2
            case 0xE0...0xEF:
                guard let b1 = cont(1), cont(2) != nil else { return false }
                if b0 == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b0 == 0xED && b1 > 0x9F { return false }  // surrogates
                i += 3
            case 0xF0...0xF4:
                guard let b1 = cont(1), cont(2) != nil, cont(3) != nil else { return false }
                if b0 == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xF4 && b1 > 0x8F { return false }  // above U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }
}
