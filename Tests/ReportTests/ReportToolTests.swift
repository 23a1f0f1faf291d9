import Foundation
import TestSupport
import XCTest

/// The report parsers and the performance maths of `make synth` / `make bench` (tools/reportlib.py), run through
/// its command line on small committed fixtures (Tests/Fixtures/reports: a trimmed nextpnr-ecp5 `--report` JSON
/// and log, and Yosys `stat -json` output of the three flows). No timing is measured here.
final class ReportToolTests: XCTestCase {
    static let root = BuiltProducts.packageRoot
    static let fixtures = root.appendingPathComponent("Tests/Fixtures/reports")

    struct Run {
        let status: Int32
        let json: [String: Any]
        let stderr: String
    }

    func reportlib(_ args: [String]) throws -> Run {
        let r = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/reportlib.py").path] + args)
        let json = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
        return Run(status: r.status, json: json, stderr: r.stderr)
    }

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    func double(_ any: Any?, file: StaticString = #filePath, line: UInt = #line) -> Double {
        guard let n = any as? NSNumber else {
            XCTFail("expected a number, got \(String(describing: any))", file: file, line: line)
            return .nan
        }
        return n.doubleValue
    }

    // MARK: nextpnr

    func testNextpnrReportGivesTheClockToClockFmaxAndItsCriticalPath() throws {
        let r = try reportlib(["nextpnr", fixture("nextpnr_report.json"), fixture("nextpnr.log")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.json["clock"] as? String, "aclk$TRELLIS_IO_IN")  // "$glbnet$" and "posedge" stripped
        XCTAssertEqual(double(r.json["fmax_mhz"]), 127.1779, accuracy: 1e-3)
        XCTAssertEqual(double(r.json["target_mhz"]), 250)
        // The clock-to-clock path, not the pin paths (<async>) the report also lists.
        XCTAssertEqual(r.json["critical_path_from"] as? String, "u_verify.run_key_TRELLIS_FF_Q.Q")
        XCTAssertEqual(r.json["critical_path_to"] as? String, "u_verify.row_flags_TRELLIS_FF_Q_3.M")
        let steps = try XCTUnwrap(r.json["critical_path"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 16)
        XCTAssertEqual(steps.first?["type"] as? String, "clk-to-q")
        XCTAssertEqual(steps.last?["type"] as? String, "setup")
        let total = steps.reduce(0.0) { $0 + double($1["delay_ns"]) }
        XCTAssertEqual(double(r.json["critical_path_ns"]), total, accuracy: 1e-3)
        XCTAssertEqual(double(r.json["critical_path_logic_ns"]) + double(r.json["critical_path_routing_ns"]), total,
                       accuracy: 2e-3)
        XCTAssertEqual(double(r.json["critical_path_ns"]), 4.888, accuracy: 1e-3)
        XCTAssertEqual(double(r.json["critical_path_routing_ns"]), 3.114, accuracy: 1e-3)
        XCTAssertEqual(r.json["critical_path_carry_steps"] as? Int, 3)
        XCTAssertEqual(r.json["critical_path_logic_levels"] as? Int, 3)
        let util = try XCTUnwrap(r.json["utilization"] as? [String: [String: Int]])
        XCTAssertEqual(util["TRELLIS_FF"], ["used": 895, "available": 43848])
        XCTAssertEqual(util["TRELLIS_COMB"]?["used"], 874)
        // From the log: the last (post-routing) Fmax line wins over the placement estimate before it.
        let logFmax = try XCTUnwrap(r.json["log_fmax"] as? [String: [String: Any]])
        XCTAssertEqual(double(logFmax["aclk$TRELLIS_IO_IN"]?["mhz"]), 127.18, accuracy: 1e-9)
        XCTAssertEqual(logFmax["aclk$TRELLIS_IO_IN"]?["status"] as? String, "FAIL")
    }

    func testNextpnrReportWithoutAClockIsAnError() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("hades-empty-\(UUID().uuidString).json")
        try Data("{\"fmax\": {}, \"critical_paths\": [], \"utilization\": {}}".utf8).write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        let r = try reportlib(["nextpnr", empty.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("no clock"), r.stderr)
    }

    // MARK: yosys

    func testYosysStatSummaries() throws {
        let x = try reportlib(["yosys-stat", fixture("yosys_stat_xilinx.json"), "--family", "xilinx"])
        XCTAssertEqual(x.status, 0, x.stderr)
        let xs = try XCTUnwrap(x.json["summary"] as? [String: Any])
        XCTAssertEqual(xs["luts"] as? Int, 115 + 140 + 11 + 44 + 224)  // LUT2…LUT6; INV, buffers not counted
        XCTAssertEqual(xs["ffs"] as? Int, 662 + 5)                     // FDRE + FDSE
        XCTAssertEqual(xs["carry"] as? Int, 38)
        XCTAssertEqual(xs["muxf"] as? Int, 10)
        XCTAssertEqual(xs["dsps"] as? Int, 0)
        XCTAssertEqual(double(xs["brams"]), 0)

        let e = try reportlib(["yosys-stat", fixture("yosys_stat_ecp5.json"), "--family", "ecp5"])
        let es = try XCTUnwrap(e.json["summary"] as? [String: Any])
        XCTAssertEqual(es["luts"] as? Int, 594)
        XCTAssertEqual(es["ffs"] as? Int, 895)
        XCTAssertEqual(es["carry"] as? Int, 111)
        XCTAssertEqual(es["muxf"] as? Int, 78)

        let g = try reportlib(["yosys-stat", fixture("yosys_stat_generic.json"), "--family", "generic"])
        XCTAssertEqual(g.json["num_cells"] as? Int, 2204)
        let gs = try XCTUnwrap(g.json["summary"] as? [String: Any])
        XCTAssertEqual(gs["ffs"] as? Int, 451 + 4 + 197 + 1 + 10)
        XCTAssertEqual(gs["logic_cells"] as? Int, 2204 - 663)
    }

    // MARK: speculative-decoding maths

    func testLeviathanExpectedTokensAndSpeedup() throws {
        let r = try reportlib(["speedup", "--alpha", "0.5", "--c", "0.1", "--gamma", "0", "1", "4"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try XCTUnwrap(r.json["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["gamma"] as? Int }, [0, 1, 4])
        // (1 − α^(γ+1)) / (1 − α)
        XCTAssertEqual(double(rows[0]["predicted_tokens_per_round"]), 1.0, accuracy: 1e-12)
        XCTAssertEqual(double(rows[1]["predicted_tokens_per_round"]), 1.5, accuracy: 1e-12)
        XCTAssertEqual(double(rows[2]["predicted_tokens_per_round"]), 1.9375, accuracy: 1e-12)
        // speedup = tokens / (γc + 1)
        XCTAssertEqual(double(rows[1]["predicted_speedup"]), 1.5 / 1.1, accuracy: 1e-12)
        XCTAssertEqual(double(rows[2]["predicted_speedup"]), 1.9375 / 1.4, accuracy: 1e-12)
        XCTAssertEqual(double(rows[2]["predicted_acceptance_rate"]), 0.9375 / 4, accuracy: 1e-12)

        let one = try reportlib(["speedup", "--alpha", "1", "--c", "0", "--gamma", "7"])
        let row = try XCTUnwrap((one.json["rows"] as? [[String: Any]])?.first)
        XCTAssertEqual(double(row["predicted_tokens_per_round"]), 8, accuracy: 1e-12)  // α = 1: γ + 1
        XCTAssertEqual(double(row["predicted_speedup"]), 8, accuracy: 1e-12)
    }

    func testTraceColumnsTruncateRoundsToShorterDrafts() throws {
        let r = try reportlib(["speedup", "--alpha", "0.5", "--c", "0.1", "--gamma", "2", "8",
                               "--accepted", "4,2,0", "--trace-gamma", "4,4,4"])
        let rows = try XCTUnwrap(r.json["rows"] as? [[String: Any]])
        // γ = 2: n' = min(n, 2) = 2, 2, 0 → 7 tokens over 3 rounds, 4 of 6 draft tokens accepted.
        XCTAssertEqual(double(rows[0]["trace_tokens_per_round"]), 7.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(double(rows[0]["trace_acceptance_rate"]), 4.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(double(rows[0]["trace_speedup"]), 7.0 / 3 / 1.2, accuracy: 1e-12)
        // γ = 8 is longer than the trace's drafts: no trace figure.
        XCTAssertTrue(rows[1]["trace_tokens_per_round"] is NSNull)
    }

    func testAlphaIsTheTruncatedGeometricMaximumLikelihood() throws {
        // 10 accepted; rounds with n < γ: two (n = 2 and n = 0) → 10 / 12. n = γ is censored (no failure).
        let r = try reportlib(["alpha", "--accepted", "4,2,0,4", "--gamma", "4,4,4,4"])
        XCTAssertEqual(double(r.json["alpha"]), 10.0 / 12, accuracy: 1e-12)
        let mixed = try reportlib(["alpha", "--accepted", "1,8,0", "--gamma", "4,8,0"])  // γ = 0 carries nothing
        XCTAssertEqual(double(mixed.json["alpha"]), 9.0 / 10, accuracy: 1e-12)
        let none = try reportlib(["alpha", "--accepted", "0", "--gamma", "0"])
        XCTAssertTrue(none.json["alpha"] is NSNull)
        let bad = try reportlib(["alpha", "--accepted", "5", "--gamma", "4"])
        XCTAssertEqual(bad.status, 2)
    }

    func testTokensPerSecondAndBadInputs() throws {
        // docs/spec.md: Σ(n+1) / Σ cycles × clock.
        let r = try reportlib(["tokens-per-s", "--tokens", "100", "--cycles", "1000000", "--mhz", "100"])
        XCTAssertEqual(double(r.json["tokens_per_s"]), 10_000, accuracy: 1e-9)
        let zero = try reportlib(["tokens-per-s", "--tokens", "5", "--cycles", "0", "--mhz", "100"])
        XCTAssertEqual(double(zero.json["tokens_per_s"]), 0)
        let bad = try reportlib(["speedup", "--alpha", "1.5", "--c", "0.1", "--gamma", "1"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("alpha"), bad.stderr)
    }
}
