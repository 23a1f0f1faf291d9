import ToolRunners
import Foundation
import CoSim
import Golden
import HADES
import HDL
import XCTest

/// The token-tree verifier: lint, and co-simulation against the golden tree rule over formats and lane counts
/// (every output of every round, the path stream, the committed length and each round's cycles against
/// (lastRow + 1)·B + D_T).
final class TreeVerifierTests: XCTestCase {
    /// N, V, L, format: L = 1 (B = V), lanes that do not divide V, B = 1 (V ≤ L), every format.
    static let matrix: [(nodes: Int, vocab: Int, lanes: Int, format: String)] = [
        (1, 2, 1, "fp16"), (5, 7, 3, "fixed16.8"), (8, 37, 4, "bf16"), (16, 100, 16, "fp32"), (64, 50257, 16, "fp16"),
    ]

    func config(_ row: (nodes: Int, vocab: Int, lanes: Int, format: String)) throws -> TreeConfig {
        try TreeConfig(vocab: row.vocab, maxNodes: row.nodes, lanes: row.lanes, format: LogitFormat(parsing: row.format))
    }

    func testVerilatorLintCleanAndIcarusAccepts() throws {
        for row in Self.matrix {
            let c = try config(row)
            let module = try TreeVerifierRTL.module(c)
            XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(module), top: module.name), "", "\(row)")
            let text = try HADESGenerator.treeVerilog(c)
            XCTAssertEqual(try ExternalTools.iverilogCheck([("tree.v", text)], top: module.name), "", "\(row)")
            if row.lanes <= 3 {
                XCTAssertEqual(try ExternalTools.yosysSynth([("tree.v", text)], top: module.name).latches, 0, "\(row): latches")
            }
        }
    }

    func testRandomTreesBitExactWithCyclesOnEveryConfiguration() throws {
        for row in Self.matrix where row.vocab < 1000 {
            let c = try config(row)
            let sim = try TreeSimulator(config: c)
            var gen = TreeRoundGenerator(c, seed: UInt64(row.nodes * 1000 + row.lanes))
            let rounds = (0..<40).map { _ in gen.round() }
            let report = try TreeCoSimulation.run(rounds, on: sim)
            XCTAssertNil(report.disagreement, "\(row): \(String(describing: report.disagreement))")
            if row.nodes >= 4 {
                XCTAssertGreaterThan(report.expected.map(\.outcome.path.count).max() ?? 0, 2, "\(row): paths deeper than two nodes")
                XCTAssertTrue(report.expected.contains { $0.outcome.path != Array(0..<$0.outcome.path.count) },
                              "\(row): some path should leave the first branch")
            }
            // Under back-pressure and producer gaps the decisions are the same (cycles are not compared).
            let pressed = try TreeCoSimulation.run(rounds, on: sim,
                                                   pressure: StreamPressure(producerGap: 0.3, consumerReady: 0.4, seed: 5))
            XCTAssertNil(pressed.disagreement, "\(row) with back-pressure: \(String(describing: pressed.disagreement))")
        }
    }

    /// Consecutive rounds stream without a bubble when each round is at least D_T + 2 beats long.
    func testRoundsFollowWithoutBubbles() throws {
        let c = try TreeConfig(vocab: 37, maxNodes: 8, lanes: 4, format: .bf16)   // B = 10
        let sim = try TreeSimulator(config: c)
        var gen = TreeRoundGenerator(c, seed: 3)
        let rounds = (0..<30).map { _ in gen.round() }
        let scenario = TreeScenario(rounds: rounds, config: c)
        let expected = TreeCoSimulation.expect(rounds, config: c)
        let tokens = expected.reduce(0) { $0 + $1.outcome.round.emitted.count }
        let run = try sim.run(scenario, expectedTokens: tokens)
        XCTAssertEqual(run.logitHandshakes.count, scenario.beats.count)
        let gaps = zip(run.logitHandshakes.dropFirst(), run.logitHandshakes).filter { $0 - $1 != 1 }.count
        XCTAssertEqual(gaps, 0, "the unit held the logit stream between beats")
    }

    /// Two command slots: round r+2's first beat can be taken D_T + 1 clocks after round r's last beat (its last
    /// row leaves the decision stage, the slot reloads), so rounds of at least D_T beats follow each other without
    /// a bubble and shorter ones ((N_r + 1)·B < D_T, only when V is a few L) wait.
    func testBubbleOnlyForRoundsShorterThanTheSlotTurnaround() throws {
        let c = try TreeConfig(vocab: 4, maxNodes: 6, lanes: 4, format: .fp16)   // B = 1, D_T = 6
        let sim = try TreeSimulator(config: c)
        let dt = TreeTiming.pipelineDepth(lanes: 4)
        var gen = TreeRoundGenerator(c, seed: 9)
        for nodes in [dt - 2, dt - 1] {
            let rounds = (0..<12).map { _ in gen.round(nodes: nodes) }
            let expected = TreeCoSimulation.expect(rounds, config: c)
            let run = try sim.run(TreeScenario(rounds: rounds, config: c),
                                  expectedTokens: expected.reduce(0) { $0 + $1.outcome.round.emitted.count })
            let gaps = zip(run.logitHandshakes.dropFirst(), run.logitHandshakes).filter { $0 - $1 != 1 }.count
            if nodes + 1 >= dt { XCTAssertEqual(gaps, 0, "rounds of \(nodes + 1) beats") } else {
                XCTAssertGreaterThan(gaps, 0, "rounds of \(nodes + 1) beats")
            }
            XCTAssertEqual(run.rounds.map(\.round.cycles), expected.map(\.cycles), "per-round cycles hold even with waits")
        }
    }
}

/// `make synth`'s harness around the tree unit: one pin each way, lint clean, the harness flip-flops in the header.
final class TreeSynthHarnessTests: XCTestCase {
    func testHarnessLintsCleanWithOnePinEachWay() throws {
        let c = try TreeConfig(vocab: 100, maxNodes: 16, lanes: 4, format: .fp16)
        let m = try TreeSynthHarness.module(c)
        XCTAssertEqual(m.ports.map(\.name), ["aclk", "aresetn", "serial_in", "serial_out"])
        XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(m), top: m.name), "")
        let text = try HADESGenerator.treeHarnessVerilog(c)
        XCTAssertTrue(text.contains("// Command: hadesgen --mode tree --nodes 16 --vocab 100 --lanes 4 --format fp16 --harness"))
        let io = TreeInterface(c)
        let chain = io.commandTDataBits + io.logitTDataBits + 5 + 1   // + path tready
        let observed = 2 + 1 + io.resultTDataBits + 2 + io.tokenTDataBits + 2 + io.pathTDataBits + 32
        XCTAssertTrue(text.contains("harness_ffs = \(chain + observed + (observed + 7) / 8 + 1)"), "harness flip-flops")
    }
}

/// `hadesgen --mode tree` as users run it.
final class TreeGeneratorCommandTests: XCTestCase {
    func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let bundle = Bundle(for: TreeGeneratorCommandTests.self).bundleURL
        let exe = [bundle.appendingPathComponent("hadesgen"), bundle.deletingLastPathComponent().appendingPathComponent("hadesgen")]
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        let p = Process()
        p.executableURL = try XCTUnwrap(exe, "hadesgen not built")
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, o, e)
    }

    func testPrintsTheTreeUnitAndRefusesBadNodeCounts() throws {
        let ok = try run(["--mode", "tree", "--nodes", "64", "--vocab", "50257"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("module hades_verify_tree_n64_v50257_l16_fp16 ("))
        XCTAssertTrue(ok.stdout.contains("// Command: hadesgen --mode tree --nodes 64 --vocab 50257 --lanes 16 --format fp16"))
        XCTAssertTrue(ok.stdout.contains("m_axis_path_tdata"))
        for bad in [["--mode", "tree", "--vocab", "100"], ["--mode", "tree", "--nodes", "65", "--vocab", "100"],
                    ["--mode", "tree", "--nodes", "0", "--vocab", "100"]] {
            let r = try run(bad)
            XCTAssertNotEqual(r.status, 0, "\(bad)")
            XCTAssertTrue(r.stderr.contains("--nodes in 1…64"), "\(bad): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(bad)")
        }
    }
}
