import Foundation
import Trace
import XCTest

/// Traces that exercise two hardware paths from real data: NaN logits in float configurations (streamed as raw
/// IEEE bits, reported by the `nan_logit` flag) and one-hot drafts (a sampling trace without `draft_logits`, or
/// `--one-hot`). Expected results are derived here from how the rows were built, not from the golden model.
final class TraceDraftAndNaNTests: XCTestCase {
    var hadesSim: URL { Reliability.executable("hades-sim") }
    static var directory: URL!

    override class func setUp() {
        super.setUp()
        directory = try! Reliability.temporaryDirectory()
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    func write(_ name: String, _ members: [(name: String, npy: [UInt8])]) throws -> String {
        let path = Self.directory.appendingPathComponent(name).path
        try NpzWriter.write(members, to: path)
        return path
    }

    func roundLines(_ stdout: String) -> [[String: Any]] {
        stdout.split(separator: "\n").filter { $0.hasPrefix("{\"round\":") }.map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    // MARK: NaN in float configurations

    /// V = 10, Γ = 2. Round 0: NaN at index 3 of row 0, draft x_0 = row 0's largest finite entry, so the NaN row is
    /// decisive-or-earlier and the draft is accepted. Round 1: a NaN only in row 2, after the decisive row 0 (x_0
    /// wrong), so no flag. Round 2: row 0 is all NaN (degenerate, token 0).
    func nanTrace() -> [(name: String, npy: [UInt8])] {
        let v = 10
        func row(_ best: Int, nanAt: [Int] = []) -> [Float] {
            (0..<v).map { i in nanAt.contains(i) ? .nan : (i == best ? 4 : Float(i % 3) - 2) }
        }
        let rows: [[Float]] = [
            row(6, nanAt: [3]), row(2), row(8),
            row(1), row(5), row(7, nanAt: [0]),
            Array(repeating: .nan, count: v), row(4), row(9),
        ]
        return [
            ("target_logits", NpyWriter.encode(floats: rows.flatMap { $0 }, shape: [3, 3, v], as: .float16)),
            ("draft_tokens", NpyWriter.encode(ints: [6, 0, 9, 5, 0, 0], shape: [3, 2], as: .int64)),
            ("gamma", NpyWriter.encode(ints: [2, 2, 0], shape: [3], as: .int64)),
        ]
    }

    func testNaNLogitsStreamAsRawBitsInFloatFormatsAndRaiseTheFlag() throws {
        let trace = try write("nan.npz", nanTrace())
        for format in ["fp16", "bf16", "fp32"] {
            let r = try Reliability.run(hadesSim, ["--trace", trace, "--lanes", "4", "--format", format])
            XCTAssertEqual(r.status, 0, "\(format): \(r.stderr)")
            let lines = roundLines(r.stdout)
            XCTAssertEqual(lines.count, 3, format)
            guard lines.count == 3 else { continue }
            // Round 0: x_0 = 6 matches row 0 (NaN ignored), x_1 = 0 differs from row 1's best (2): n = 1, token 2.
            XCTAssertEqual(lines[0]["accepted"] as? Int, 1, format)
            XCTAssertEqual(lines[0]["token"] as? Int, 2, format)
            XCTAssertEqual(lines[0]["flags"] as? [String], ["nan_logit"], format)
            // Round 1: x_0 = 9, row 0's best is 1: rejected at row 0; row 2's NaN is never inspected.
            XCTAssertEqual(lines[1]["accepted"] as? Int, 0, format)
            XCTAssertEqual(lines[1]["token"] as? Int, 1, format)
            XCTAssertEqual(lines[1]["flags"] as? [String], [], format)
            // Round 2: γ = 0 and row 0 is all NaN: token 0, both flags.
            XCTAssertEqual(lines[2]["token"] as? Int, 0, format)
            XCTAssertEqual(lines[2]["flags"] as? [String], ["nan_logit", "degenerate_row"], format)
        }
    }

    func testNaNIsStillRefusedWhereAConversionIsNeeded() throws {
        let uniforms = NpyWriter.encode(uint32s: Array(repeating: 0x8000_0000, count: 9), shape: [3, 3])
        let trace = try write("nan-fixed.npz", nanTrace() + [("uniforms", uniforms)])
        for args in [["--format", "fixed16.8"], ["--format", "fixed16.8", "--mode", "sampling"]] {
            let r = try Reliability.run(hadesSim, ["--trace", trace, "--lanes", "4"] + args)
            XCTAssertEqual(r.status, 2, "\(args)")
            XCTAssertEqual(r.stdout, "", "\(args)")
            XCTAssertTrue(r.stderr.contains("target_logits") && r.stderr.contains("NaN"), "\(args): \(r.stderr)")
        }
    }

    // MARK: one-hot drafts from a trace

    /// V = 10, Γ = 3, fixed16.8. Every row is sharply peaked (+8 on one token, −8 elsewhere), so each decision is
    /// far from its boundary: a draft token on the peak is accepted (u = 0.25 < t ≈ 1), one off the peak is
    /// rejected (u = 0.5 > t ≈ 1e-7), and the residual / bonus draws the peak.
    /// Round 0: peaks 4, 7, 1, 0 and drafts 4, 7, 5 → n = 2, token 1. Round 1: drafts 3, 8 on peaks 3, 8, bonus
    /// row peak 6 → n = 2, token 6. Round 2: γ = 0, peak 9 → token 9.
    func oneHotMembers(withDraftRows: Bool) -> [(name: String, npy: [UInt8])] {
        let v = 10, g = 3
        func peaked(_ p: Int) -> [Float] { (0..<v).map { $0 == p ? 8 : -8 } }
        let peaks = [[4, 7, 1, 0], [3, 8, 6, 2], [9, 1, 1, 1]]
        let target = peaks.flatMap { $0.flatMap(peaked) }
        var members: [(name: String, npy: [UInt8])] = [
            ("target_logits", NpyWriter.encode(floats: target, shape: [3, g + 1, v], as: .float16)),
            ("draft_tokens", NpyWriter.encode(ints: [4, 7, 5, 3, 8, 0, 0, 0, 0], shape: [3, g], as: .int64)),
            ("gamma", NpyWriter.encode(ints: [3, 2, 0], shape: [3], as: .int64)),
            ("uniforms", NpyWriter.encode(uint32s: [0x4000_0000, 0x4000_0000, 0x8000_0000, 0x8000_0000,
                                                    0x4000_0000, 0x4000_0000, 0x8000_0000, 0x8000_0000,
                                                    0x8000_0000, 0x8000_0000, 0x8000_0000, 0x8000_0000],
                                          shape: [3, g + 1])),
        ]
        if withDraftRows {
            // Draft rows equal to the target rows: with full rows every draft token is accepted (t/d = 1).
            let draft = peaks.flatMap { $0.prefix(g).flatMap(peaked) }
            members.append(("draft_logits", NpyWriter.encode(floats: draft, shape: [3, g, v], as: .float16)))
        }
        return members
    }

    func assertOneHotResults(_ r: Reliability.ProcessResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        let lines = roundLines(r.stdout)
        XCTAssertEqual(lines.map { $0["accepted"] as? Int }, [2, 2, 0], file: file, line: line)
        XCTAssertEqual(lines.map { $0["token"] as? Int }, [1, 6, 9], file: file, line: line)
        XCTAssertEqual(lines.map { $0["rollback"] as? Int }, [1, 0, 0], file: file, line: line)
        XCTAssertTrue(r.stdout.contains("\"drafts\":\"one-hot\""), r.stdout, file: file, line: line)
    }

    func testASamplingTraceWithoutDraftLogitsRunsOneHot() throws {
        let trace = try write("one-hot.npz", oneHotMembers(withDraftRows: false))
        assertOneHotResults(try Reliability.run(hadesSim, ["--trace", trace, "--lanes", "4", "--mode", "sampling"]))
    }

    func testOneHotFlagOverridesDraftRowsAndFullRowsStillWork() throws {
        let trace = try write("rows.npz", oneHotMembers(withDraftRows: true))
        assertOneHotResults(try Reliability.run(hadesSim, ["--trace", trace, "--lanes", "4", "--mode", "sampling", "--one-hot"]))
        // The same trace with its draft rows: d = t, so every draft token is accepted (n = γ, bonus from row γ).
        let full = try Reliability.run(hadesSim, ["--trace", trace, "--lanes", "4", "--mode", "sampling"])
        XCTAssertEqual(full.status, 0, full.stderr)
        let lines = roundLines(full.stdout)
        XCTAssertEqual(lines.map { $0["accepted"] as? Int }, [3, 2, 0])
        XCTAssertEqual(lines.map { $0["token"] as? Int }, [0, 6, 9])
        XCTAssertTrue(full.stdout.contains("\"drafts\":\"rows\""), full.stdout)
    }

    func testOneHotOnlyWithSampling() throws {
        let trace = try write("greedy.npz", nanTrace())
        let r = try Reliability.run(hadesSim, ["--trace", trace, "--lanes", "4", "--one-hot"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("--one-hot"), r.stderr)
    }
}
