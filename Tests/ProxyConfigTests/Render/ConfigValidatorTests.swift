import XCTest

@testable import ProxyConfig

final class ConfigValidatorTests: XCTestCase {
    func testAMissingValidatorIsReportedAsMissingNeverAsAPass() throws {
        let step = try ConfigValidator.step("wstune-no-such-validator", ["-t"]) { _ in true }
        XCTAssertEqual(step.outcome, .toolMissing)
        XCTAssertTrue(step.output.contains("wstune-no-such-validator is not installed"), step.output)
        XCTAssertEqual(step.command, "wstune-no-such-validator -t")
    }

    func testSecurityScoreParsesTheOverallLine() {
        XCTAssertEqual(
            SecurityScore.parse("  ✓ PrivateTmp=  0.1\n\n→ Overall exposure level for x@8080.service: 1.4 OK 🙂\n"), 1.4)
        XCTAssertNil(SecurityScore.parse("no score here"))
    }
}
