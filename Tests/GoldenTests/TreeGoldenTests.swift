@testable import Golden
import XCTest

/// The greedy tree rule (DESIGN.md "Token trees") on hand-worked rounds, and chains against the chain verifier.
final class TreeGoldenTests: XCTestCase {
    let config = try! TreeConfig(vocab: 8, maxNodes: 6, lanes: 4, format: .fixed(width: 16, fraction: 8))

    /// Rows whose argmax is the given token (one code 5.0 there, 0 elsewhere).
    func rows(_ argmaxes: [Int]) -> [UInt32] {
        argmaxes.flatMap { a in (0..<8).map { LogitConverter.code(for: $0 == a ? 5 : 0, format: config.format)! } }
    }

    func decide(_ round: TreeRound, _ argmaxes: [Int]) -> TreeOutcome {
        rows(argmaxes).withUnsafeBufferPointer { TreeVerifier.verify(round, targetCodes: $0, config: config) }
    }

    func testWalkTakesTheFirstMatchingChildInNodeOrder() {
        // root ─ 0(x=3) ─ 2(x=5)
        //      ├ 1(x=3) ─ 3(x=6)      (1 is a later sibling with the same token as 0: never chosen)
        //      └ 4(x=1) ─ 5(x=2)
        let round = TreeRound(nodes: 6, tokens: [3, 3, 5, 6, 1, 2], parents: [-1, -1, 0, 1, -1, 4])
        // rows: 0 root, 1 after node 0, 2 after node 1, 3 after node 2, 4 after node 3, 5 after node 4, 6 after 5
        let o = decide(round, [3, 5, 6, 7, 0, 2, 4])
        XCTAssertEqual(o.path, [0, 2])
        XCTAssertEqual(o.round.emitted, [3, 5, 7])
        XCTAssertEqual(o.round.accepted, 2)
        XCTAssertEqual(o.round.rollback, 4)
        XCTAssertEqual(o.lastRow, 3)
        XCTAssertEqual(o.round.flags, [])
        // The root's row picks token 1: the third branch, down to its leaf (bonus = row 6's argmax).
        let deep = decide(round, [1, 0, 0, 0, 0, 2, 4])
        XCTAssertEqual(deep.path, [4, 5])
        XCTAssertEqual(deep.round.emitted, [1, 2, 4])
        XCTAssertEqual(deep.lastRow, 6)
        // No child of the root matches: correction from row 0.
        let none = decide(round, [7, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(none.path, [])
        XCTAssertEqual(none.round.emitted, [7])
        XCTAssertEqual(none.lastRow, 0)
    }

    func testMalformedNodesAreNeverAcceptedAndFlagged() {
        // Node 1 names itself as parent, node 2 names a later node: both malformed.
        let round = TreeRound(nodes: 3, tokens: [4, 4, 4], parents: [-1, 1, 5])
        let o = decide(round, [4, 4, 4, 4])
        XCTAssertEqual(o.path, [0])
        XCTAssertEqual(o.round.emitted, [4, 4])
        XCTAssertEqual(o.round.flags, [.badTree])
        // A malformed node that the walk never reaches still raises the flag (it comes from the command).
        XCTAssertEqual(decide(TreeRound(nodes: 2, tokens: [1, 2], parents: [-1, 1]), [7, 0, 0]).round.flags, [.badTree])
    }

    func testDraftTokensOutsideTheVocabularyNeverMatch() {
        let o = decide(TreeRound(nodes: 2, tokens: [9, 2], parents: [-1, -1]), [2, 6, 5])
        XCTAssertEqual(o.path, [1])
        XCTAssertEqual(o.round.emitted, [2, 5])
        XCTAssertEqual(o.round.flags, [.badDraft])
    }

    func testMoreNodesThanTheHardwareHoldsAcceptsNothing() {
        let o = decide(TreeRound(nodes: 7, tokens: [1, 1, 1, 1, 1, 1], parents: [-1, 0, 1, 2, 3, 4]), [1, 1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(o.round.flags, [.badGamma])
        XCTAssertEqual(o.path, [])
        XCTAssertEqual(o.round.emitted, [1])
        XCTAssertEqual(o.round.rollback, 7)
    }

    func testEmptyTreeIsPlainDecoding() {
        let o = decide(TreeRound(nodes: 0, tokens: [], parents: []), [6])
        XCTAssertEqual(o.round.emitted, [6])
        // D_T = 2 stages of the argmax tree (L = 4) + input, row, match vector, decision = 6 (the chain unit's D − 2: it
        // has no match stage and no registered FIFO push).
        XCTAssertEqual(TreeTiming.cycles(lastRow: o.lastRow, config: config), 2 + 6)
        XCTAssertEqual(TreeTiming.pipelineDepth(lanes: 4), GreedyTiming.pipelineDepth(lanes: 4) - 2)
    }

    /// A chain (p_i = i − 1) decides exactly like the chain verifier, on random rows with many ties.
    func testChainsEqualTheGreedyVerifier() throws {
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for format in [LogitFormat.fp16, .bf16, .fixed(width: 8, fraction: 2)] {
            let v = 13
            let tree = try TreeConfig(vocab: v, maxNodes: 6, lanes: 4, format: format)
            let chain = try VerifierConfig(vocab: v, gammaMax: 6, lanes: 4, format: format)
            for _ in 0..<400 {
                let gamma = next(7)
                let codes = (0..<(gamma + 1) * v).map { _ in LogitConverter.code(for: Float(next(6)) - 2, format: format)! }
                var tokens = (0..<gamma).map { _ in next(v) }
                for i in 0..<gamma where next(3) > 0 {   // mostly accept, so long prefixes occur
                    tokens[i] = GreedyVerifier.argmax(row: Array(codes[i * v..<(i + 1) * v]), format: format).index
                }
                let g = codes.withUnsafeBufferPointer {
                    GreedyVerifier.verify(gamma: gamma, draftTokens: tokens, targetCodes: $0, config: chain)
                }
                let t = codes.withUnsafeBufferPointer { TreeVerifier.verify(.chain(tokens), targetCodes: $0, config: tree) }
                XCTAssertEqual(t.round, g)
                XCTAssertEqual(t.path, Array(0..<g.accepted))
                XCTAssertEqual(TreeTiming.cycles(lastRow: t.lastRow, config: tree),  // D_T = D − 2
                               CycleModel.idealCycles(accepted: g.accepted, config: chain) - 2)
            }
        }
    }
}
