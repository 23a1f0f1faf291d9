import CoSim
import Golden
import HADES
import XCTest

/// SGLang's greedy tree test vector (sgl-kernel/tests/speculative/test_eagle_utils.py::test_verify_tree_greedy,
/// sgl-project/sglang), ported to the HADES tree format and run through the golden model and the RTL.
///
/// SGLang's encoding, per batch entry: draft positions 0…5, position 0 = the root (the last verified token);
/// `candidates[i]` is position i's token; `retrive_next_token[i]` is position i's first child and
/// `retrive_next_sibling[i]` its next sibling (−1 = none); `target_predict[i]` = argmax of the target row at
/// position i; `retrive_index[i]` is position i's global (flattened) index. The kernel walks from position 0,
/// tries the children in sibling order and takes the first whose candidate equals target_predict[cur];
/// `accept_index` lists the global indices of the root and the accepted positions, `accept_token_num` counts the
/// accepted positions, and `predicts[global(cur)] = target_predict[cur]` along the path.
///
/// Mapping: HADES nodes are the non-root positions in depth-first preorder of the first-child/next-sibling lists,
/// so a parent comes before its children and siblings keep SGLang's sibling order (entry 1's root lists position 4
/// before position 1: node order is 4, 5, 1, 2, 3). Node i has token candidates[pos_i] and parent = the node of
/// pos_i's parent position (−1 for the root). HADES row 0 is the target row at position 0; row i+1 the row at pos_i.
/// The path maps back to positions, the emitted tokens are the predicts along it.
final class SGLangTreeVectorTests: XCTestCase {
    // The test's tensors (bs = 2, 6 positions, vocabulary 20).
    let candidates = [[0, 1, 2, 3, 4, 5], [7, 8, 9, 10, 11, 12]]
    let retrieveIndex = [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    let nextToken = [[1, 2, -1, 4, 5, -1], [4, 2, 3, -1, 5, -1]]
    let nextSibling = [[-1, 3, -1, -1, -1, -1], [-1, -1, -1, -1, 1, -1]]
    /// target_logits = 1 everywhere, then these entries 10, then 10 at index 18 in every row whose max is < 10.
    let tens: [(b: Int, pos: Int, token: Int)] = [(0, 0, 3), (0, 3, 4), (0, 4, 5), (1, 0, 11), (1, 4, 12)]
    // Expected by the SGLang test.
    let expectedPredicts = [3, -1, -1, 4, 5, 18, 11, -1, -1, -1, 12, 18]
    let expectedAcceptIndex = [[0, 3, 4, 5], [6, 10, 11, -1]]
    let expectedAcceptTokenNum = [3, 2]

    func targetLogits(_ b: Int) -> [[Float]] {
        (0..<6).map { pos in
            var row = [Float](repeating: 1, count: 20)
            for t in tens where t.b == b && t.pos == pos { row[t.token] = 10 }
            if row.max()! < 10 { row[18] = 10 }
            return row
        }
    }

    /// (positions in node order, the HADES round) for batch entry b.
    func port(_ b: Int) -> (positions: [Int], round: TreeRound) {
        var order: [Int] = [], parentPosition: [Int: Int] = [:]
        func visit(_ pos: Int) {
            var child = nextToken[b][pos]
            while child != -1 {
                parentPosition[child] = pos
                order.append(child)
                visit(child)
                child = nextSibling[b][child]
            }
        }
        visit(0)
        let node = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let parents = order.map { parentPosition[$0] == 0 ? -1 : node[parentPosition[$0]!]! }
        return (order, TreeRound(nodes: order.count, tokens: order.map { candidates[b][$0] }, parents: parents))
    }

    func testGoldenAndRTLReproduceSGLangVerifyTreeGreedy() throws {
        let config = try TreeConfig(vocab: 20, maxNodes: 5, lanes: 4, format: .fp32)
        let sim = try TreeSimulator(config: config)
        var predicts = [Int](repeating: -1, count: 12)
        for b in 0..<2 {
            let (positions, round) = port(b)
            let logits = targetLogits(b)
            let rows = [logits[0]] + positions.map { logits[$0] }
            let codes = try rows.flatMap { try LogitConverter.encode($0, format: .fp32, arrayName: "sglang target_logits") }
            let cosim = try TreeCoSimulation.run([TreeCoSimRound(round: round, codes: codes)], on: sim)
            XCTAssertNil(cosim.disagreement, "entry \(b): \(String(describing: cosim.disagreement))")
            let outcome = cosim.expected[0].outcome
            let hw = cosim.hardware[0]
            // Path → SGLang positions → global indices.
            let accepted = [0] + outcome.path.map { positions[$0] }
            var acceptIndex = accepted.map { retrieveIndex[b][$0] }
            while acceptIndex.count < 4 { acceptIndex.append(-1) }
            XCTAssertEqual(acceptIndex, expectedAcceptIndex[b], "entry \(b) accept_index")
            XCTAssertEqual(hw.round.accepted, expectedAcceptTokenNum[b], "entry \(b) accept_token_num (RTL)")
            XCTAssertEqual(hw.pathBeats.dropLast().map { positions[$0] }, Array(accepted.dropFirst()), "entry \(b) RTL path")
            for (k, pos) in accepted.enumerated() { predicts[retrieveIndex[b][pos]] = hw.round.emitted[k] }
        }
        XCTAssertEqual(predicts, expectedPredicts)
    }
}
