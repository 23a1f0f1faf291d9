import Trace
import XCTest

/// The `parents` array of a token-tree trace (DESIGN.md "Token trees").
final class TreeParentsTests: XCTestCase {
    func load(_ m: Members) throws -> SpeculativeTrace { try SpeculativeTrace(bytes: try m.archive(), file: "tree.npz") }

    func testParentsMakeATreeTrace() throws {
        var m = traceMembers(rounds: 4, gammaMax: 3, sampling: false)
        XCTAssertFalse(try load(m).isTree)
        XCTAssertNil(try load(m).parents(0))
        // γ_r = r % 4: entries past γ_r are ignored, even when below −1.
        let parents = [-1, -1, -1, /**/ -1, -9, -9, /**/ -1, 0, -9, /**/ -1, 0, 7]
        m["parents"] = NpyWriter.encode(ints: parents, shape: [4, 3], as: .int32)
        let t = try load(m)
        XCTAssertTrue(t.isTree)
        XCTAssertEqual((0..<4).map { t.parents($0)! }, [[], [-1], [-1, 0], [-1, 0, 7]])   // 7 ≥ its index: kept (flagged later)
    }

    func testBadParentsAreNamed() throws {
        var m = traceMembers(rounds: 4, gammaMax: 3, sampling: false)
        m["parents"] = NpyWriter.encode(ints: Array(repeating: -1, count: 8), shape: [4, 2], as: .int32)
        assertTraceError(["tree.npz", "parents", "[4, 3]"]) { try load(m) }
        m["parents"] = NpyWriter.encode(ints: [-1, -1, -1, -2, -1, -1, -1, -1, -1, -1, -1, -1], shape: [4, 3], as: .int64)
        assertTraceError(["tree.npz", "parents", "round 1 node 0", "-2"]) { try load(m) }
        m["parents"] = NpyWriter.encode(floats: Array(repeating: -1, count: 12), shape: [4, 3], as: .float32)
        assertTraceError(["tree.npz", "parents"]) { try load(m) }
    }
}
