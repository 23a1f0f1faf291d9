import CoSim
import Foundation
import Golden
import Trace
import XCTest

/// Token trees on real SmolLM2 logits: chains taken from the greedy traces decide exactly like the chain verifier
/// (golden and RTL), and the committed tree trace (tools/tree_traces.py) matches the decisions recorded when it
/// was made, through the RTL and through `hades-sim --mode tree`.
final class TreeTraceTests: XCTestCase {
    static let treeTrace = RealTraceTests.fixtures.appendingPathComponent("trees/tree_n8.npz").path

    func testChainsOfTheGreedyTracesDecideAsTheChainVerifier() throws {
        for name in ["greedy_g4.npz", "greedy_g8.npz"] {
            let trace = try SpeculativeTrace(contentsOf: RealTraceTests.fixtures.appendingPathComponent(name).path)
            let chainConfig = try VerifierConfig(vocab: trace.vocab, gammaMax: trace.gammaMax, lanes: 16, format: .fp16)
            let treeConfig = try TreeConfig(vocab: trace.vocab, maxNodes: trace.gammaMax, lanes: 16, format: .fp16)
            let rounds = try TraceRounds.rounds(trace, format: .fp16)
            let chain = CoSimulation.golden(rounds, config: chainConfig)
            let trees = rounds.map { TreeCoSimRound(round: .chain($0.draftTokens), codes: $0.codes) }
            let report = try TreeCoSimulation.run(trees, on: try TreeSimulator(config: treeConfig))
            XCTAssertNil(report.disagreement, "\(name): \(String(describing: report.disagreement))")
            for r in rounds.indices {
                XCTAssertEqual(report.expected[r].outcome.round, chain[r], "\(name) round \(r): golden tree vs chain")
                XCTAssertEqual(report.hardware[r].round.emitted, chain[r].emitted, "\(name) round \(r): RTL")
                XCTAssertEqual(report.hardware[r].round.cycles,  // D_T = D − 2: one input stage, no match
                               // stage, no registered FIFO push
                               CycleModel.idealCycles(accepted: chain[r].accepted, config: chainConfig) - 2)
            }
        }
    }

    func testRealTreeTraceMatchesItsRecordedDecisions() throws {
        let trace = try SpeculativeTrace(contentsOf: Self.treeTrace)
        XCTAssertTrue(trace.isTree)
        let path = try NpzArchive(contentsOf: Self.treeTrace).array("reference_path", expected: [.int32]).ints()
        var branching = false, offFirstBranch = false
        for (lanes, format) in [(16, LogitFormat.fp16), (5, .fp32)] {
            let config = try TreeConfig(vocab: trace.vocab, maxNodes: trace.gammaMax, lanes: lanes, format: format)
            let rounds = try TreeTraceRounds.rounds(trace, format: format)
            let report = try TreeCoSimulation.run(rounds, on: try TreeSimulator(config: config))
            XCTAssertNil(report.disagreement, "L=\(lanes) \(format): \(String(describing: report.disagreement))")
            for r in 0..<trace.rounds {
                let h = report.hardware[r]
                XCTAssertEqual(h.round.accepted, trace.referenceAccepted(r), "round \(r)")
                XCTAssertEqual(h.round.token, trace.referenceNextToken(r), "round \(r)")
                let recorded = Array(path[(r * trace.gammaMax)..<(r * trace.gammaMax + h.round.accepted)])
                XCTAssertEqual(Array(h.pathBeats.dropLast()), recorded, "round \(r) path")
                let parents = trace.parents(r)!
                branching = branching || Set(parents).count < parents.count
                offFirstBranch = offFirstBranch || recorded != Array(0..<recorded.count)
            }
        }
        XCTAssertTrue(branching, "the committed tree trace should contain a node with several children")
        XCTAssertTrue(offFirstBranch, "some accepted path should leave the first branch")
    }

    func hadesSim(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let bundle = Bundle(for: TreeTraceTests.self).bundleURL
        let exe = [bundle.appendingPathComponent("hades-sim"), bundle.deletingLastPathComponent().appendingPathComponent("hades-sim")]
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        let p = Process()
        p.executableURL = try XCTUnwrap(exe, "hades-sim not built")
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, stdout, stderr)
    }

    func testHadesSimRefusesTreeModeWithoutParentsOrWithTooFewNodes() throws {
        let chain = try hadesSim(["--trace", RealTraceTests.fixtures.appendingPathComponent("greedy_g4.npz").path, "--mode", "tree"])
        XCTAssertEqual(chain.status, 2)
        XCTAssertTrue(chain.stderr.contains("parents"), chain.stderr)
        XCTAssertEqual(chain.stdout, "")
        let small = try hadesSim(["--trace", Self.treeTrace, "--mode", "tree", "--nodes", "65"])
        XCTAssertEqual(small.status, 2)
        XCTAssertTrue(small.stderr.contains("nodes 65 out of range 1…64"), small.stderr)
        XCTAssertEqual(small.stdout, "")
    }

    func testHadesSimRunsTheTreeTrace() throws {
        let (status, stdout, stderr) = try hadesSim(["--trace", Self.treeTrace, "--mode", "tree", "--lanes", "16"])
        XCTAssertEqual(status, 0, stderr)
        let trace = try SpeculativeTrace(contentsOf: Self.treeTrace)
        let rounds = stdout.split(separator: "\n").filter { $0.hasPrefix("{\"round\":") }
        XCTAssertEqual(rounds.count, trace.rounds)
        for (r, line) in rounds.enumerated() {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let path = try XCTUnwrap(object["path"] as? [Int], "round line lacks path: \(line)")
            XCTAssertEqual(path.count, object["accepted"] as? Int)
            XCTAssertEqual(object["accepted"] as? Int, trace.referenceAccepted(r))
        }
        let summary = try XCTUnwrap(stdout.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(summary.contains("\"mode\":\"tree\"") && summary.contains("\"cycle_efficiency\":1.0000")
                      && summary.contains("\"max_nodes\":\(trace.gammaMax)"), summary)
    }
}
