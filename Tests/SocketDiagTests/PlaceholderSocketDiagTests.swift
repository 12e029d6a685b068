import XCTest
// Replaced by real tests of this target.
final class PlaceholderSocketDiagTests: XCTestCase {}
