import CoSim
import Golden
import XCTest

/// The verifier RTL, Verilated, against the golden model: every output of every round, cycles included.
final class GreedyCoSimTests: XCTestCase {
    /// Built once per configuration for the whole test run.
    static var simulators: [VerifierConfig: VerifierSimulator] = [:]

    static func simulator(_ c: VerifierConfig) throws -> VerifierSimulator {
        if let s = simulators[c] { return s }
        let s = try VerifierSimulator(config: c)
        simulators[c] = s
        return s
    }

    /// Configurations: partial last beats, V < L, a single lane, every format, Γ at both ends.
    static let configs: [(vocab: Int, gamma: Int, lanes: Int, format: LogitFormat)] = [
        (7, 4, 3, .fixed(width: 16, fraction: 8)),
        (1000, 8, 16, .fp16),
        (2, 1, 1, .bf16),
        (50, 32, 64, .fp32),
    ]

    func check(_ rounds: [CoSimRound], _ c: VerifierConfig, pressure: StreamPressure = .none,
               file: StaticString = #filePath, line: UInt = #line) throws -> CoSimReport {
        let report = try CoSimulation.run(rounds, on: try Self.simulator(c), pressure: pressure)
        XCTAssertNil(report.disagreement, "\(c.format) V=\(c.vocab) L=\(c.lanes): \(report.disagreement!)",
                     file: file, line: line)
        return report
    }

    func testRandomRoundsMatchGoldenIncludingCycles() throws {
        for (i, p) in Self.configs.enumerated() {
            let c = try VerifierConfig(vocab: p.vocab, gammaMax: p.gamma, lanes: p.lanes, format: p.format)
            var factory = RoundFactory(c, seed: 100 + UInt64(i))
            let rounds = factory.randomRounds(40)
            let report = try check(rounds, c)
            // The cycle model is the ideal (n+1)·B + D: check the RTL meets it exactly.
            for (r, h) in report.hardware.enumerated() {
                XCTAssertEqual(h.cycles, (report.golden[r].accepted + 1) * c.beatsPerRow + GreedyTiming.pipelineDepth(lanes: c.lanes))
            }
        }
    }

    func testBackPressureAndProducerGapsChangeOnlyCycles() throws {
        for (i, p) in Self.configs.enumerated() {
            let c = try VerifierConfig(vocab: p.vocab, gammaMax: p.gamma, lanes: p.lanes, format: p.format)
            var factory = RoundFactory(c, seed: 200 + UInt64(i))
            let rounds = factory.randomRounds(25)
            for (gap, ready) in [(0.3, 1.0), (0.0, 0.3), (0.5, 0.5)] {
                let report = try check(rounds, c, pressure: StreamPressure(producerGap: gap, consumerReady: ready, seed: 7))
                // Stalls can only add cycles to the ideal.
                for (r, h) in report.hardware.enumerated() {
                    XCTAssertGreaterThanOrEqual(h.cycles, report.timings[r].cycles, "round \(r) gap \(gap) ready \(ready)")
                }
            }
        }
    }
}
