import NIOCore
import XCTest

@testable import Reference

/// permessage-deflate negotiation (RFC 7692 §5, §7.1) and the codec against zlib round trips.
final class PerMessageDeflateTests: XCTestCase {
    func testBrowserOfferIsAcceptedWithDefaults() {
        let s = PerMessageDeflateSettings.negotiate(["permessage-deflate; client_max_window_bits"])
        XCTAssertEqual(s, PerMessageDeflateSettings())
        XCTAssertEqual(s?.responseHeader, "permessage-deflate")
    }

    func testParametersAreHonoured() {
        let s = PerMessageDeflateSettings.negotiate([
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=\"9\""
        ])
        XCTAssertEqual(
            s?.responseHeader,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"
        )
    }

    func testInvalidOffersAreSkippedForTheNextOne() {
        let offers = [
            "permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; unknown_param, permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            "x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=012",
            "permessage-deflate; server_max_window_bits=12",
        ]
        XCTAssertEqual(PerMessageDeflateSettings.negotiate(offers)?.serverMaxWindowBits, 12)
        XCTAssertNil(PerMessageDeflateSettings.negotiate(Array(offers.dropLast())))
        XCTAssertNil(PerMessageDeflateSettings.negotiate([]))
    }

    func testForcedNoContextTakeover() {
        let s = PerMessageDeflateSettings.negotiate(["permessage-deflate"], forceNoContextTakeover: true)
        XCTAssertEqual(s?.serverNoContextTakeover, true)
        XCTAssertEqual(s?.clientNoContextTakeover, true)
    }

    func testCodecRoundTripWithAndWithoutContextTakeover() throws {
        let allocator = ByteBufferAllocator()
        for noContext in [false, true] {
            var settings = PerMessageDeflateSettings()
            settings.serverNoContextTakeover = noContext
            settings.clientNoContextTakeover = noContext
            let server = DeflateCodec(settings: settings)
            // The server's own output fed back to a second codec's decompressor plays the client.
            let peer = DeflateCodec(settings: settings)
            for text in [
                "hello hello hello hello", "", String(repeating: "é✓", count: 5000), "hello hello hello hello",
            ] {
                let plain = ByteBuffer(string: text)
                let packed = try server.compress(plain, allocator: allocator)
                let back = try peer.decompress(packed, limit: 1 << 20, allocator: allocator)
                XCTAssertEqual(String(buffer: back), text)
            }
            XCTAssertEqual(server.heldBytes == 0, noContext, "no context takeover keeps no zlib state")
        }
    }

    func testDecompressionIsBoundedAndCorruptDataFails() throws {
        let allocator = ByteBufferAllocator()
        let codec = DeflateCodec(settings: PerMessageDeflateSettings())
        let big = try codec.compress(ByteBuffer(repeating: 0, count: 1_000_000), allocator: allocator)
        XCTAssertLessThan(big.readableBytes, 5000)
        let other = DeflateCodec(settings: PerMessageDeflateSettings())
        XCTAssertThrowsError(try other.decompress(big, limit: 100_000, allocator: allocator)) {
            XCTAssertEqual($0 as? DeflateCodec.Failure, .tooBig)
        }
        XCTAssertThrowsError(
            try DeflateCodec(settings: PerMessageDeflateSettings()).decompress(
                ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF]), limit: 1000, allocator: allocator))
    }
}
