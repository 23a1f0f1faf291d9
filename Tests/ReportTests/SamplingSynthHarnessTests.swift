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
}
