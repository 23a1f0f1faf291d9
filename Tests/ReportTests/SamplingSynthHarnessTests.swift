import Foundation
import Golden
import HADES
import HDL
import ToolRunners
import XCTest

/// `make synth`'s harness around the sampling unit (`hadesgen --mode sampling --harness`): one pin each way, every
/// input of the unit fed from the chain and every output observed, so synthesis keeps the whole unit.
final class SamplingSynthHarnessTests: XCTestCase {
    let config = try! VerifierConfig(vocab: 100, gammaMax: 2, lanes: 4, format: .fixed(width: 16, fraction: 8))

    func testOnePinEachWayLintCleanAndTheHeader() throws {
        let c = config
        let m = try SamplingSynthHarness.module(c)
        XCTAssertEqual(m.name, "hades_harness_sampling_g2_v100_l4_fx16p8")
        XCTAssertEqual(m.ports.map(\.name), ["aclk", "aresetn", "serial_in", "serial_out"])
        XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(m), top: m.name), "")
        let text = try HADESGenerator.samplingHarnessVerilog(c)
        XCTAssertTrue(text.contains("// Command: hadesgen --gamma 2 --vocab 100 --lanes 4 --format fixed16.8 --mode sampling --harness"))
        XCTAssertTrue(text.contains("module hades_harness_sampling_g2_v100_l4_fx16p8_verify_sampling_g2_v100_l4_fx16p8 ("),
                      "the sampling unit is inside")
        // Chain: command (tvalid, tdata), target and draft logits (tvalid, tlast, tdata), result and token tready.
        let io = SamplingInterface(c), g = io.greedy
        let chain = 1 + io.commandTDataBits + 2 * (2 + g.logitTDataBits) + 2
        // Observed: three input tready, result (tvalid, tdata), tokens (tvalid, tdata, tlast), committed length.
        let observed = 3 + 1 + g.resultTDataBits + 2 + g.tokenTDataBits + 32
        XCTAssertTrue(text.contains("chain_bits = \(chain)"), "chain bits")
        XCTAssertTrue(text.contains("harness_ffs = \(chain + observed + (observed + 7) / 8 + 1)"), "harness flip-flops")
        XCTAssertEqual(try SamplingSynthHarness.overheadFlipFlops(c), chain + observed + (observed + 7) / 8 + 1)
    }

    /// Yosys keeps the unit's flip-flops inside the harness: the harness has at least the bare unit's plus the
    /// shift register (the output register may lose constant bits such as reserved flags).
    func testSynthesisKeepsTheWholeUnit() throws {
        let c = try VerifierConfig(vocab: 10, gammaMax: 1, lanes: 2, format: .fixed(width: 8, fraction: 4))  // small: Yosys time
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
        let bare = try flipFlops(try HADESGenerator.samplingVerilog(c), top: SamplingVerifierRTL.defaultName(c))
        let wrapped = try flipFlops(try HADESGenerator.samplingHarnessVerilog(c), top: SamplingSynthHarness.defaultName(c))
        XCTAssertGreaterThan(bare, 300)
        let io = SamplingInterface(c)
        XCTAssertGreaterThanOrEqual(wrapped, bare + 1 + io.commandTDataBits + 2 * (2 + io.greedy.logitTDataBits) + 2)
        XCTAssertLessThanOrEqual(wrapped, bare + (try SamplingSynthHarness.overheadFlipFlops(c)))
    }
}
