import NIOCore
import XCTest

@testable import Reference

/// The server's UTF-8 validator against the standard library's validating `String` initialiser.
final class ServerUTF8Tests: XCTestCase {
    private func stdlibValid(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }
    private func ours(_ bytes: [UInt8]) -> Bool { UTF8Validation.isValid(ByteBuffer(bytes: bytes)) }

    func testKnownCases() {
        let cases: [[UInt8]] = [
            [], Array("hello".utf8), Array("é✓😀☃".utf8),
            [0xC3, 0x28], [0xA0, 0xA1], [0xE2, 0x28, 0xA1], [0xE2, 0x82, 0x28], [0xF0, 0x28, 0x8C, 0xBC],
            [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF],  // overlongs
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // surrogates
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],  // above U+10FFFF
            [0xE2, 0x82], [0xF0, 0x9F, 0x98],  // truncated
            [0xEF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],  // last valid code points
        ]
        for c in cases { XCTAssertEqual(ours(c), stdlibValid(c), "\(c)") }
    }

    func testRandomSequencesAgreeWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 0x5EED)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
            0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
        ]
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 8)
            let bytes = (0..<n).map { _ in interesting[Int(rng.next() % UInt64(interesting.count))] }
            XCTAssertEqual(ours(bytes), stdlibValid(bytes), "\(bytes)")
        }
    }
}

/// A tiny deterministic generator so the random cases are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
