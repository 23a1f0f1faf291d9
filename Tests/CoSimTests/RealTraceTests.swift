import CoSim
import Foundation
import Golden
import Trace
import XCTest

/// Every committed real trace (SmolLM2-135M logits) through several hardware configurations, bit-exact with the
/// golden model, cycles included.
final class RealTraceTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func traces() throws -> [SpeculativeTrace] {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasSuffix(".npz") }.sorted()
        return try names.map { try SpeculativeTrace(contentsOf: fixtures.appendingPathComponent($0).path) }
    }

    /// Lanes and formats: a power of two, a lane count that does not divide V, the widest bus; every format.
    static let configurations: [(lanes: Int, format: LogitFormat)] = [
        (16, .fp16), (5, .bf16), (64, .fixed(width: 16, fraction: 8)), (32, .fp32),
    ]

    func testCommittedTracesExist() throws {
        let traces = try Self.traces()
        XCTAssertGreaterThanOrEqual(traces.count, 3, "expected greedy γ=4, greedy γ=8 and sampling γ=4 traces")
        for t in traces {
            XCTAssertGreaterThan(t.rounds, 0, t.file)
            XCTAssertEqual(t.vocab, 49152, "\(t.file): SmolLM2's vocabulary")
        }
    }

    func testEveryTraceBitExactOnEveryConfiguration() throws {
        for trace in try Self.traces() {
            for (lanes, format) in Self.configurations {
                let config = try VerifierConfig(vocab: trace.vocab, gammaMax: trace.gammaMax, lanes: lanes, format: format)
                let sim = try VerifierSimulator(config: config)
                let rounds = try TraceRounds.rounds(trace, format: format)
                let report = try CoSimulation.run(rounds, on: sim)
                XCTAssertNil(report.disagreement, "\(trace.file) L=\(lanes) \(format): \(String(describing: report.disagreement))")
                XCTAssertEqual(report.hardware.count, trace.rounds)
                // Float formats carry the model's exact values: the decisions must be the float reference's.
                if format.isFloat, format != .bf16 {
                    for r in 0..<trace.rounds {
                        let fromFloats = ReferenceGreedy.decide(
                            targetRows: (0...trace.gamma(r)).map { trace.targetRow(round: r, row: $0) },
                            draftTokens: trace.draftTokens(r), gamma: trace.gamma(r))
                        XCTAssertEqual(report.hardware[r].accepted, fromFloats.accepted, "\(trace.file) round \(r)")
                        XCTAssertEqual(report.hardware[r].token, fromFloats.token, "\(trace.file) round \(r)")
                    }
                }
            }
        }
    }

    /// Greedy traces record what the float reference decided when they were made; the fp16 RTL must agree.
    func testGreedyTracesAgreeWithTheirRecordedDecisions() throws {
        for trace in try Self.traces() where !trace.hasDraftLogits {
            let config = try VerifierConfig(vocab: trace.vocab, gammaMax: trace.gammaMax, lanes: 16, format: .fp16)
            let report = try CoSimulation.run(try TraceRounds.rounds(trace, format: .fp16), on: try VerifierSimulator(config: config))
            for r in 0..<trace.rounds {
                guard let n = trace.referenceAccepted(r), let token = trace.referenceNextToken(r) else {
                    XCTFail("\(trace.file): round \(r) has no recorded decision"); continue
                }
                XCTAssertEqual(report.hardware[r].accepted, n, "\(trace.file) round \(r)")
                XCTAssertEqual(report.hardware[r].token, token, "\(trace.file) round \(r)")
            }
        }
    }
}
