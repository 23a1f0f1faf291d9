import XCTest
final class HADESTestsPlaceholder: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
