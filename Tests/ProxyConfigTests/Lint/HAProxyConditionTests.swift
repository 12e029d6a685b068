import XCTest

@testable import ProxyConfig

/// `.if` blocks and "${VAR}" as haproxy 2.6 reads them; what wstune cannot evaluate stays unknown.
final class HAProxyConditionTests: XCTestCase {
    func testConditionsEvaluateOrStayUnknown() {
        let env = ["A": "x", "HAPROXY_LOCALPEER": "p"]
        let cases: [(String, HAProxyConditionStack.Truth)] = [
            ("1", .yes), ("0", .no), ("defined(A)", .yes), ("defined(B)", .no), ("!defined(B)", .yes),
            ("streq(x,x)", .yes), ("strneq(x,x)", .no), ("defined(A) && defined(B)", .no), ("defined(B) || 1", .yes),
            ("version_atleast(2.4)", .unknown), ("version_atleast(2.4) && 0", .no), ("version_atleast(2.4) || 1", .yes),
            ("defined(HAPROXY_LOCALPEER)", .unknown), ("(1", .unknown), ("", .unknown),
            (String(repeating: "(", count: 1000) + "1" + String(repeating: ")", count: 1000), .unknown),
        ]
        for (text, want) in cases {
            XCTAssertEqual(HAProxyCondition.evaluate(text, environment: env), want, text)
        }
    }

    func testBranchesPickTheLinesThatApply() {
        let text = """
            .if defined(NOPE)
            .notice "not here"
            .endif
            defaults
            .if defined(NOPE)
                timeout tunnel 1h
            .elif streq("$WHO","me")
                timeout tunnel 2h
            .else
                timeout tunnel 3h
            .endif
            .if feature(OPENSSL)
                timeout server 9s
            .endif
            """
        let me = HAProxyConfig.parse(text, file: "f", environment: ["WHO": "me"])
        XCTAssertEqual(me.errors, [])
        XCTAssertEqual(
            me.sections.first?.lines.map { $0.words.joined(separator: " ") },
            ["timeout tunnel 2h", "timeout server 9s"])
        XCTAssertNil(me.sections.first?.lines[0].condition)
        XCTAssertEqual(me.sections.first?.lines[1].condition?.line, 12)
        let other = HAProxyConfig.parse(text, file: "f", environment: ["WHO": "you"])
        XCTAssertEqual(other.sections.first?.lines.first?.words, ["timeout", "tunnel", "3h"])
        XCTAssertEqual(HAProxyConfig.parse(".endif\n.if 1\n", file: "f").errors.map(\.location.line), [1, 2])
    }

    func testVariablesExpandInDoubleQuotesOnly() throws {
        let s = HAProxyLineSplitter(environment: ["A": "1h"])
        XCTAssertEqual(
            try s.split("t \"${A}\" \"$A\" '${A}' ${A} \"${B-5s}\"").words, ["t", "1h", "1h", "${A}", "${A}", "5s"])
        let unknown = try s.split("t \"${B}\" \"x$C\"")
        XCTAssertEqual(unknown.words, ["t", "${B}", "x$C"])
        XCTAssertEqual(unknown.unknownVariables, ["B", "C"])
    }

    func testCRLFLinesAndBigNumbers() {
        let c = HAProxyConfig.parse("global\r\n    maxconn 10\r\ndefaults\r\n", file: "f")
        XCTAssertEqual(c.sections.map(\.kind), ["global", "defaults"])
        XCTAssertEqual(c.global?.lines.first?.words, ["maxconn", "10"])
        XCTAssertEqual(ConfigNumber("9223372036854775807"), .value(Int.max))
        XCTAssertEqual(ConfigNumber("9223372036854775808"), .invalid("9223372036854775808"))
        XCTAssertEqual(ConfigNumber("+5"), .invalid("+5"))
        XCTAssertEqual(Int.max.saturatingMultiplied(by: 2), .max)
        XCTAssertEqual(Int.min.saturatingSubtracting(1), .min)
    }
}
