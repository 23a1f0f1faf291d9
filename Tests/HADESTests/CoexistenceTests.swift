import Golden
import HADES
import HDL
import XCTest

/// Several configurations (greedy and sampling, and one renamed with `--top`) in one design: every submodule is
/// named after its top, so no module is defined twice (Icarus: "already declared", Verilator: MODDUP, Yosys:
/// "Re-definition of module").
final class CoexistenceTests: XCTestCase {
    func files() throws -> [(name: String, text: String)] {
        let fp16 = try VerifierConfig(vocab: 1000, gammaMax: 4, lanes: 4, format: .fp16)
        let fixed = try VerifierConfig(vocab: 1000, gammaMax: 4, lanes: 4, format: LogitFormat(parsing: "fixed16.8"))
        let odd = try VerifierConfig(vocab: 1000, gammaMax: 4, lanes: 5, format: LogitFormat(parsing: "fixed12.4"))
        return [("a.v", try HADESGenerator.verilog(fp16)),
                ("b.v", try HADESGenerator.verilog(fixed)),
                ("c.v", try HADESGenerator.verilog(fp16, top: "my_verify")),  // same configuration, renamed
                ("d.v", try HADESGenerator.samplingVerilog(fixed)),
                ("e.v", try HADESGenerator.samplingVerilog(odd))]
    }

    func testSubmodulesCarryTheirTopsName() throws {
        for (name, text) in try files() {
            let modules = text.split(separator: "\n").filter { $0.hasPrefix("module ") }
                .map { $0.dropFirst("module ".count).split(separator: " ")[0] }
            let top = String(modules.last!)
            XCTAssertGreaterThanOrEqual(modules.count, 3, name)
            for m in modules.dropLast() { XCTAssertTrue(m.hasPrefix(top + "_"), "\(name): \(m) is not named after \(top)") }
        }
    }

    func testAllLoadTogetherInIcarusVerilatorAndYosys() throws {
        let all = try files()
        // The whole set once per top: each compile parses every file, so any redefinition shows up.
        for top in ["hades_verify_g4_v1000_l4_fp16", "my_verify", "hades_verify_sampling_g4_v1000_l5_fx12p4"] {
            XCTAssertEqual(try ExternalTools.iverilogCheck(all, top: top), "", "iverilog with top \(top)")
            XCTAssertEqual(try ExternalTools.verilatorLint(all, top: top, extraFlags: ["-Wno-DECLFILENAME"]), "",
                           "verilator -Wall with top \(top)")
        }
        let dir = try ExternalTools.writeTemporary(all)
        let r = try ExternalTools.run("yosys", ["-q", "-p", "read_verilog \(all.map(\.name).joined(separator: " ")); "
                                                + "hierarchy -check -top my_verify"], in: dir)
        XCTAssertEqual(r.status, 0, r.combined)
    }

    /// The check above can fail: two files that define the same module are refused.
    func testADuplicateModuleIsRefused() throws {
        let one = try files()[0]
        let again = (name: "again.v", text: one.text)
        XCTAssertNotEqual(try ExternalTools.iverilogCheck([one, again], top: "hades_verify_g4_v1000_l4_fp16"), "")
        XCTAssertTrue(try ExternalTools.verilatorLint([one, again], top: "hades_verify_g4_v1000_l4_fp16",
                                                      extraFlags: ["-Wno-DECLFILENAME"]).contains("MODDUP"))
    }
}
