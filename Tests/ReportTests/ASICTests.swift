import Foundation
import Golden
import HADES
import HDL
import XCTest

/// The ASIC estimate of `make asic` (tools/asic.py, tools/asic/): the Python unit tests (power calculator on a
/// hand-worked netlist, Liberty reader, toggle readers, report parsers, stimulus encoding), and the whole flow end
/// to end on a small configuration — Yosys mapping to SKY130, OpenSTA, a Verilator gate-level run of a real trace
/// cut to V = 1000, power and energy. Yosys, OpenSTA (`sta`) and Verilator must be installed: missing tools fail.
final class ASICTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func python(_ args: [String], in dir: URL? = nil) throws -> ExternalTools.Output {
        try ExternalTools.run("python3", args, in: dir)
    }

    func testPythonUnitTests() throws {
        let r = try python([Self.root.appendingPathComponent("tools/asic/test_asic.py").path])
        XCTAssertEqual(r.status, 0, r.combined)
        XCTAssertTrue(r.stderr.contains("OK"), r.combined)
    }

    /// Γ = 4, V = 1000, L = 4, fp16 on the first two rounds of greedy_g4.npz cut to 1000 tokens (every draft token
    /// and every row's argmax kept, so the decisions are the real ones): the gate-level netlist must reproduce them,
    /// and the report must carry every key the issue asks for, with consistent energy arithmetic.
    func testMakeAsicEndToEndOnASmallConfiguration() throws {
        let dir = try ExternalTools.writeTemporary([])
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("small.npz").path
        let cut = try python([Self.root.appendingPathComponent("tools/asic/subset_trace.py").path,
                              Self.root.appendingPathComponent("Tests/Fixtures/greedy_g4.npz").path, trace,
                              "--vocab", "1000", "--rounds", "2"])
        XCTAssertEqual(cut.status, 0, cut.combined)
        let config = try VerifierConfig(vocab: 1000, gammaMax: 4, lanes: 4, format: .fp16)
        let verilog = dir.appendingPathComponent("verify.v")
        try HADESGenerator.verilog(config).write(to: verilog, atomically: true, encoding: .utf8)
        let reports = dir.appendingPathComponent("reports")
        let r = try python([Self.root.appendingPathComponent("tools/asic.py").path,
                            "--configs", "4 1000 4 fp16 greedy \(trace)", "--verilog", verilog.path,
                            "--reports", reports.path, "--work", dir.appendingPathComponent("work").path])
        XCTAssertEqual(r.status, 0, r.combined)
        let data = try Data(contentsOf: reports.appendingPathComponent("asic-g4_v1000_l4_fp16.json"))
        let rep = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["area_um2", "cells", "flops", "clock_mhz", "clock_source", "power_mw", "activity_source",
                    "energy_per_token_nj", "tokens_per_s_per_w", "library", "corner"] {
            XCTAssertNotNil(rep[key], "missing \(key)")
        }
        func num(_ any: Any?) -> Double { (any as? NSNumber)?.doubleValue ?? .nan }
        XCTAssertGreaterThan(num(rep["area_um2"]), 1000)
        XCTAssertGreaterThan(num(rep["flops"]), 100)
        XCTAssertGreaterThan(num(rep["clock_mhz"]), 100)
        XCTAssertTrue((rep["label"] as? String ?? "").contains("estimate before layout"))
        let p = try XCTUnwrap(rep["power_mw"] as? [String: Any])
        let total = num(p["internal"]) + num(p["switching"]) + num(p["leakage"])
        XCTAssertEqual(num(p["total"]), total, accuracy: 1e-9)
        XCTAssertGreaterThan(num(p["internal"]), 0)
        XCTAssertGreaterThan(num(p["switching"]), 0)
        // Energy per token = P · cycles / (f · tokens), tokens/s/W its inverse.
        let act = try XCTUnwrap(rep["activity"] as? [String: Any])
        let cycles = num(act["cycles"]), tokens = num(act["tokens"])
        XCTAssertEqual(tokens, 2 + 1)  // greedy_g4 rounds 0 and 1 accept 1 and 0 drafts: (1+1) + (0+1)
        let nj = total * 1e-3 * cycles / (num(rep["clock_mhz"]) * 1e6) / tokens * 1e9
        XCTAssertEqual(num(rep["energy_per_token_nj"]), nj, accuracy: nj * 1e-3)
        XCTAssertEqual(num(rep["tokens_per_s_per_w"]) * num(rep["energy_per_token_nj"]), 1e9, accuracy: 1e6)
        // The window ends at the last emitted token: round 0's 5 rows of B = 250 beats are all streamed (round 1
        // follows them), round 1 decides on its row 0 (n = 0), and its later rows are not waited for.
        XCTAssertGreaterThanOrEqual(cycles, 5 * 250 + 250)
        XCTAssertLessThan(cycles, 5 * 250 + 250 + 50)
        XCTAssertEqual(num(act["nets_without_count"]), 0)
        // The vectorless OpenSTA figure (every input toggling at 0.5) bounds the measured one from above.
        let sta = try XCTUnwrap(rep["opensta_report_power_mw"] as? [String: Any])
        let vectorless = try XCTUnwrap(sta["vectorless_input_activity_0.5"] as? [String: Any])
        XCTAssertGreaterThan(num(vectorless["total_mw"]), total)
        let md = try String(contentsOf: reports.appendingPathComponent("asic.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("estimate before layout, typical corner"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: reports.appendingPathComponent("asic_efficiency.svg").path))
    }

    func testBadConfigurationIsRefusedWithoutOutput() throws {
        let dir = try ExternalTools.writeTemporary([])
        defer { try? FileManager.default.removeItem(at: dir) }
        let reports = dir.appendingPathComponent("reports")
        let r = try python([Self.root.appendingPathComponent("tools/asic.py").path,
                            "--configs", "4 1000 4 fp16 greedy /nonexistent.npz", "--reports", reports.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/nonexistent.npz"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: reports.appendingPathComponent("asic.md").path))
    }
}
