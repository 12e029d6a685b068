import NIOCore
import XCTest

@testable import Reference

/// The frame header parser and writer against the examples of RFC 6455 §5.7 and the rules of §5.2/§5.5.
final class ServerFrameTests: XCTestCase {
    private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    func testRFCExampleMaskedHelloParsesAndUnmasks() throws {
        // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
        let bytes: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        guard case .header(let h) = WebSocketFrameHeader.parse(buffer(bytes)) else { return XCTFail() }
        XCTAssertTrue(h.fin)
        XCTAssertEqual(h.opcode, WebSocketFrameHeader.text)
        XCTAssertEqual(h.payloadLength, 5)
        XCTAssertEqual(h.headerLength, 6)
        var payload = buffer(Array(bytes[6...]))
        payload.webSocketUnmask(try XCTUnwrap(h.maskKey))
        XCTAssertEqual(payload.readString(length: 5), "Hello")
    }

    func testPartialHeadersAskForMoreBytes() {
        let full: [UInt8] = [0x82, 0xFE, 0x01, 0x00, 1, 2, 3, 4]  // masked binary, 16-bit length 256
        for cut in 0..<full.count {
            XCTAssertEqual(WebSocketFrameHeader.parse(buffer(Array(full[..<cut]))), .needMoreBytes, "cut at \(cut)")
        }
        guard case .header(let h) = WebSocketFrameHeader.parse(buffer(full)) else { return XCTFail() }
        XCTAssertEqual(h.payloadLength, 256)
        XCTAssertEqual(h.headerLength, 8)
    }

    func testSixtyFourBitLength() {
        var bytes: [UInt8] = [0x82, 0xFF]
        bytes += withUnsafeBytes(of: UInt64(70_000).bigEndian, Array.init)
        bytes += [9, 9, 9, 9]
        guard case .header(let h) = WebSocketFrameHeader.parse(buffer(bytes)) else { return XCTFail() }
        XCTAssertEqual(h.payloadLength, 70_000)
        XCTAssertEqual(h.headerLength, 14)
        bytes[2] = 0x80  // most significant bit set: forbidden by §5.2
        XCTAssertEqual(WebSocketFrameHeader.parse(buffer(bytes)).closeCode, 1002)
    }

    func testViolationsAreProtocolErrors() {
        let cases: [(String, [UInt8])] = [
            ("unmasked client frame", [0x81, 0x05]),
            ("RSV1 without an extension", [0xC1, 0x80, 0, 0, 0, 0]),
            ("reserved opcode 0x3", [0x83, 0x80, 0, 0, 0, 0]),
            ("reserved control opcode 0xB", [0x8B, 0x80, 0, 0, 0, 0]),
            ("fragmented ping", [0x09, 0x80, 0, 0, 0, 0]),
            ("ping over 125 bytes", [0x89, 0xFE, 0x00, 0x7E, 0, 0, 0, 0]),
        ]
        for (name, bytes) in cases {
            XCTAssertEqual(WebSocketFrameHeader.parse(buffer(bytes)).closeCode, 1002, name)
        }
    }

    func testWriterProducesUnmaskedFramesTheParserReadsBack() {
        for length in [0, 1, 125, 126, 65535, 65536, 100_000] {
            let payload = ByteBuffer(repeating: 0x61, count: length)
            var frame = WebSocketFrameWriter.frame(
                opcode: WebSocketFrameHeader.binary, payload: payload, allocator: ByteBufferAllocator())
            XCTAssertEqual(frame.readableBytes, WebSocketFrameWriter.headerLength(payloadLength: length) + length)
            // Set the mask bit and append a zero key so the (server-side) parser accepts it.
            var masked = ByteBuffer()
            let header = frame.readSlice(length: WebSocketFrameWriter.headerLength(payloadLength: length))!
            var h = Array(header.readableBytesView)
            XCTAssertEqual(h[1] & 0x80, 0, "server frames are unmasked")
            h[1] |= 0x80
            masked.writeBytes(h + [0, 0, 0, 0])
            masked.writeBuffer(&frame)
            guard case .header(let parsed) = WebSocketFrameHeader.parse(masked) else { return XCTFail("\(length)") }
            XCTAssertEqual(parsed.payloadLength, length)
            XCTAssertEqual(parsed.opcode, WebSocketFrameHeader.binary)
        }
    }

    func testCloseFrameCarriesCodeAndReason() {
        var f = WebSocketFrameWriter.close(code: 1001, reason: "bye", allocator: ByteBufferAllocator())
        XCTAssertEqual(f.readBytes(length: 2), [0x88, 5])
        XCTAssertEqual(f.readInteger(as: UInt16.self), 1001)
        XCTAssertEqual(f.readString(length: 3), "bye")
    }

    func testCloseCodesAllowedOnTheWire() {
        for code: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999] {
            XCTAssertTrue(WebSocketCloseCode.isValidOnTheWire(code), "\(code)")
        }
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            XCTAssertFalse(WebSocketCloseCode.isValidOnTheWire(code), "\(code)")
        }
    }
}

extension WebSocketFrameHeader.ParseResult {
    var closeCode: UInt16? {
        if case .violation(let code, _) = self { return code }
        return nil
    }
}
