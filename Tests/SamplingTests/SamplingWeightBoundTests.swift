import Foundation
import Golden
import XCTest

/// Σ p̂_t < 2^(E+1) (= 2^`SamplingFixedPoint.expBits`), the bound the RTL's pass B relies on (a beat's lanes compare
/// T − prefix at laneSum > E + 1 bits; README, "Pass B's lane comparison"). The README derives Σ p̂_t < 1.02·2^E;
/// here the rows that push it up: flat rows at the largest V (every entry's floors and the log table's error add
/// up), nearly flat ones, a ramp, and a row held up by one or two entries (S near its least, 2^(E−1)).
final class SamplingWeightBoundTests: XCTestCase {
    func testTargetProbabilitiesSumBelowTwiceTheScale() {
        let fp = SamplingFixedPoint.self
        var rng = SplitMix64(seed: 5)
        var largest = 0.0
        for (vocab, lanes) in [(262_144, 1), (262_144, 256), (50257, 16), (1000, 5), (7, 3)] {
            let c = Fixture.config(vocab: vocab, lanes: lanes)
            var rows: [(String, [Double])] = [
                ("ramp", (0..<vocab).map { -8 + 16 * Double($0) / Double(vocab) }),
                ("nearly flat", Fixture.randomLogits(&rng, vocab, scale: 0.05)),
                ("one entry", (0..<vocab).map { $0 == vocab / 3 ? 100 : -100 }),
                ("two entries", (0..<vocab).map { $0 == 1 || $0 == vocab - 1 ? 3.3 : -120 }),
            ]
            for level in [0.0, 0.004, 0.5, 1.37] { rows.append(("flat \(level)", Array(repeating: level, count: vocab))) }
            for (name, logits) in rows {
                let codes = Fixture.codes(logits, c.format)
                let row = codes.withUnsafeBufferPointer { fp.row($0, config: c) }
                let sum = row.probs.reduce(0, +)
                let ratio = Double(sum) / Double(1 << fp.expScaleBits)
                largest = max(largest, ratio)
                XCTAssertLessThan(sum, 1 << fp.expBits, "V=\(vocab) L=\(lanes) \(name): Σ p̂_t = \(sum)")
                // Not vacuous: p̂_t is normalised, so its sum is near 2^E.
                XCTAssertGreaterThan(ratio, 0.95, "V=\(vocab) L=\(lanes) \(name)")
            }
        }
        print("largest Σ p̂_t / 2^E: \(largest)")
    }
}
