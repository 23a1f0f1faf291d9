import Foundation
import Golden
import HADES
import HDL
import ToolRunners
import XCTest

/// The place-and-route harness of `make synth` (`hadesgen --harness`): one pin in, one pin out, every verifier
/// input fed from its shift register and every output observed, so synthesis keeps the whole verifier.
final class SynthHarnessTests: XCTestCase {
    let configs: [VerifierConfig] = [
        try! VerifierConfig(vocab: 100, gammaMax: 4, lanes: 4, format: .fp16),
        try! VerifierConfig(vocab: 7, gammaMax: 1, lanes: 1, format: .fixed(width: 8, fraction: 4)),
        try! VerifierConfig(vocab: 1000, gammaMax: 16, lanes: 3, format: .bf16),
    ]

    func testPortsAreOnePinEachWay() throws {
        for c in configs {
            let m = try SynthHarness.module(c)
            XCTAssertEqual(m.name, SynthHarness.defaultName(c))
            XCTAssertTrue(m.name.hasPrefix("hades_harness_g\(c.gammaMax)_v\(c.vocab)_l\(c.lanes)_"))
            XCTAssertEqual(m.ports.map(\.name), ["aclk", "aresetn", "serial_in", "serial_out"])
            XCTAssertEqual(m.ports.map(\.width), [1, 1, 1, 1])
        }
    }

    func testHeaderNamesTheCommandAndTheHarnessFlipFlops() throws {
        let c = configs[0]
        let text = try HADESGenerator.harnessVerilog(c)
        XCTAssertTrue(text.contains("// Command: hadesgen --gamma 4 --vocab 100 --lanes 4 --format fp16 --harness"))
        XCTAssertTrue(text.contains("harness_ffs = \(SynthHarness.overheadFlipFlops(c))"))
        // The verifier is inside, named after the harness like every submodule.
        let inner = SynthHarness.defaultName(c) + "_" + GreedyVerifierRTL.defaultName(c).dropFirst("hades_".count)
        XCTAssertTrue(text.contains("module \(inner) ("), "the verifier is inside")
        // The chain is as wide as every verifier input together.
        let io = VerifierInterface(c)
        XCTAssertEqual(SynthHarness.chainBits(c), io.commandBits + io.logitBusBits + 5)
    }

    func testLintsCleanWithVerilatorWall() throws {
        for c in configs {
            let m = try SynthHarness.module(c)
            let warnings = try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(m), top: m.name)
            XCTAssertEqual(warnings, "", "\(c): verilator -Wall on the harness")
        }
    }

    /// Yosys keeps every flip-flop of the verifier inside the harness: the harness's count is the bare verifier's
    /// plus `overheadFlipFlops`, less two: the reserved `residual_zero` result flag is a constant 0 output, so the
    /// harness register bit that observes it is optimised away; and `cmd_token_in_round`'s top bit (γ > Γ − 1 with
    /// Γ = 4 is γ's top bit) samples a command bit every clock exactly as the harness's next shift-register stage
    /// does, so Yosys merges the two flip-flops.
    func testSynthesisKeepsTheWholeVerifier() throws {
        let c = configs[0]
        func flipFlops(_ text: String, top: String) throws -> Int {
            let dir = try ExternalTools.writeTemporary([("design.v", text)])
            defer { try? FileManager.default.removeItem(at: dir) }
            let out = try ExternalTools.run("yosys", ["-q", "-p",
                "read_verilog design.v; synth -flatten -top \(top); tee -q -o stat.json stat -json"], in: dir)
            XCTAssertEqual(out.status, 0, out.combined)
            let data = try Data(contentsOf: dir.appendingPathComponent("stat.json"))
            let stat = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            let design = try XCTUnwrap(stat["design"] as? [String: Any])
            let cells = try XCTUnwrap((design["num_cells_by_type"] ?? design["cells"]) as? [String: Int])
            return cells.filter { $0.key.contains("DFF") }.values.reduce(0, +)
        }
        let bare = try flipFlops(try HADESGenerator.verilog(c), top: GreedyVerifierRTL.defaultName(c))
        let wrapped = try flipFlops(try HADESGenerator.harnessVerilog(c), top: SynthHarness.defaultName(c))
        XCTAssertGreaterThan(bare, 100)
        XCTAssertEqual(wrapped, bare + SynthHarness.overheadFlipFlops(c) - 2)
    }
}
