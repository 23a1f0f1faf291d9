import XCTest
final class CoSimTestsPlaceholder: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
