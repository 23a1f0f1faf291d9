import CoSim
import Foundation
import Golden
import XCTest

/// The tree unit under protocol faults (malformed parents, tokens ≥ V, N_r > N, rows ending early or late) against
/// the stream-level tree golden model, and a short soak (`make soak` runs it longer with HADES_SOAK_CYCLES).
final class TreeReliabilityTests: XCTestCase {
    /// V = 10 over L = 4 (B = 3, a partial last beat); N = 6: 3-bit count (7 is a sendable N_r > N), 4-bit tokens.
    static let config = try! TreeConfig(vocab: 10, maxNodes: 6, lanes: 4, format: .fp16)
    nonisolated(unsafe) static var shared: TreeSimulator?
    static func simulator() throws -> TreeSimulator {
        if let s = shared { return s }
        let s = try TreeSimulator(config: config)
        shared = s
        return s
    }

    func testMalformedTreesBadDraftsAndTooManyNodes() throws {
        let faults = TreeRoundGenerator.Faults(chain: ScenarioGenerator.Faults(badDraft: 0.3, badGamma: 0.2), badParent: 0.15)
        var gen = TreeRoundGenerator(Self.config, seed: 41, faults: faults)
        let scenario = gen.scenario(rounds: 80)
        let report = try TreeCoSimulation.run(scenario, on: try Self.simulator())
        XCTAssertNil(report.disagreement, String(describing: report.disagreement))
        let flags = report.expected.map(\.outcome.round.flags)
        for f in [ResultFlags.badTree, .badDraft, .badGamma] {
            XCTAssertTrue(flags.contains { $0.contains(f) }, "the stimulus must raise \(f)")
        }
        // A malformed node is never on a path; N_r > N accepts nothing.
        for (r, e) in report.expected.enumerated() {
            let cmd = scenario.commands[r]
            for node in e.outcome.path { XCTAssertLessThan(cmd.parents[node], node, "round \(r)") }
            if cmd.nodes > Self.config.maxNodes { XCTAssertEqual(report.hardware[r].round.accepted, 0) }
        }
    }

    /// One-beat rows (V = 3 ≤ L) and short rounds: a command loads the clock its slot frees and its first beat
    /// follows at once, so the command flags (two register levels) are read at the earliest possible time.
    func testCommandFlagsWithOneBeatRows() throws {
        let config = try TreeConfig(vocab: 3, maxNodes: 2, lanes: 4, format: .fp16)   // tokens 2 bits: 3 is ≥ V
        let faults = TreeRoundGenerator.Faults(chain: ScenarioGenerator.Faults(badDraft: 0.4, badGamma: 0.2), badParent: 0.3)
        var gen = TreeRoundGenerator(config, seed: 5, faults: faults)
        let report = try TreeCoSimulation.run(gen.scenario(rounds: 120), on: try TreeSimulator(config: config))
        XCTAssertNil(report.disagreement, String(describing: report.disagreement))
        let flags = report.hardware.map(\.round.flags)
        for f in [ResultFlags.badTree, .badDraft, .badGamma] { XCTAssertTrue(flags.contains { $0.contains(f) }, "\(f)") }
    }

    /// One row re-framed to end early (tlast on beat 1 of 3) or late (two extra beats): rows end at tlast, the
    /// walk goes on with the later rows aligned, `row_length` is raised when the row is at or before the stop.
    func testEarlyAndLateTlast() throws {
        var gen = TreeRoundGenerator(Self.config, seed: 7)
        let rounds = (0..<6).map { _ in gen.round(nodes: 4) }
        let clean = TreeScenario(rounds: rounds, config: Self.config)
        let sim = try Self.simulator()
        var raised = 0
        for (row, beats) in [(0, 1), (2, 5), (6, 2), (11, 4), (14, 1)] {
            var s = clean
            let framed = StreamScenario(commands: [], beats: s.beats).rows[row]
            var newRow = Array(framed.beats.prefix(beats))
            for i in newRow.indices { newRow[i].last = false }
            while newRow.count < beats { newRow.append(LogitBeat(codes: [0x7C00, 0x7C00, 0x7C00, 0x7C00], last: false)) }
            newRow[beats - 1].last = true
            s.beats.replaceSubrange(framed.start..<(framed.start + framed.beats.count), with: newRow)
            let report = try TreeCoSimulation.run(s, on: sim)
            XCTAssertNil(report.disagreement, "row \(row) in \(beats) beats: \(String(describing: report.disagreement))")
            raised += report.hardware.filter { $0.round.flags.contains(.rowLength) }.count
        }
        XCTAssertGreaterThan(raised, 0, "some re-framed row lies on or before a walk's stop")
    }

    func testSoakRandomTreesUnderBackPressure() throws {
        let environment = ProcessInfo.processInfo.environment
        let budget = UInt64(environment["HADES_SOAK_CYCLES"] ?? "") ?? 100_000
        let result = try TreeSoak.run(try Self.simulator(), cycles: budget, seed: UInt64(environment["HADES_SOAK_SEED"] ?? "") ?? 2024)
        print("tree soak: \(result.rounds) rounds, flags \(result.flags.sorted { $0.key < $1.key })")
        XCTAssertNil(result.failure, result.failure ?? "")
        for f in ["bad_tree", "bad_draft", "bad_gamma", "row_length", "nan_logit", "degenerate_row"] {
            XCTAssertGreaterThan(result.flags[f] ?? 0, 0, "the soak must exercise \(f)")
        }
    }
}
