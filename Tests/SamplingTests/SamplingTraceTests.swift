import CoSim
import Foundation
import Golden
import Trace
import XCTest

/// The real sampling trace (SmolLM2, `Tests/Fixtures/sampling_g4.npz`) through the RTL and the golden model.
final class SamplingTraceTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sampling_g4.npz").path

    func testRealSamplingTraceBitExactAndNearTheReference() throws {
        let trace = try SpeculativeTrace(contentsOf: Self.path)  // a missing fixture fails the test
        XCTAssertTrue(trace.hasSamplingArrays, "\(Self.path) has no draft_logits/uniforms")
        guard trace.hasSamplingArrays else { return }
        let format = LogitFormat.fixed(width: 16, fraction: 8)
        let c = try VerifierConfig(vocab: trace.vocab, gammaMax: trace.gammaMax, lanes: 16, format: format)
        let rounds = try SamplingTraceRounds.rounds(trace, format: format)
        let sim = try SamplingSimulator(config: c)
        let r = try sim.compare(rounds)
        XCTAssertNil(r.disagreement, "\(r.disagreement!)")
        // Against the float64 reference on the same (converted) codes: any difference must be within the bound.
        for (i, round) in rounds.enumerated() {
            let v = c.vocab
            let t = (0...round.gamma).map { SamplingReference.softmax(Fixture.values(Array(round.targetCodes[$0 * v..<($0 + 1) * v]))) }
            let d = (0..<round.gamma).map { SamplingReference.softmax(Fixture.values(Array(round.draftCodes[$0 * v..<($0 + 1) * v]))) }
            let ref = SamplingReference.decide(targetProbs: t, draftProbs: d, draftTokens: round.draftTokens,
                                               uniforms: round.uniforms, gamma: round.gamma)
            let g = r.golden[i]
            print("trace round \(i): γ \(round.gamma) fixed n=\(g.accepted) token \(g.token) cycles \(r.hardware[i].cycles); "
                + "float64 n=\(ref.accepted) token \(ref.token)"
                + (trace.referenceAccepted(i).map { "; trace says n=\($0)" } ?? ""))
            if g.accepted != ref.accepted {
                XCTAssertLessThanOrEqual(ref.acceptMargins[min(g.accepted, ref.accepted)],
                                         SamplingFixedPoint.acceptanceBound(c, oneHot: false))
            } else if g.token != ref.token {
                XCTAssertLessThanOrEqual(ref.finalMargin, SamplingFixedPoint.finalTokenBound(
                    c, mass: ref.finalMass, bonusOrOneHot: ref.accepted == round.gamma))
            }
        }
    }
}
