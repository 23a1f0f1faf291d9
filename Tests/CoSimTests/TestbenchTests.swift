import Foundation
import HDL
import XCTest

/// The self-checking Verilog testbench (`testbench/`) as a user without Swift runs it: the committed real-trace
/// vector sets are what `make tb-vectors` writes, pass on Icarus and on Verilator, and a corrupted expected file
/// makes the run FAIL with a non-zero exit. Also the cocotb + cocotbext-axi test of the greedy set on Icarus.
final class TestbenchTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sets = ["greedy", "sampling"]
    static func set(_ name: String) -> URL { root.appendingPathComponent("testbench").appendingPathComponent(name) }

    var hadesSim: URL {
        let bundle = Bundle(for: TestbenchTests.self).bundleURL
        let candidates = [bundle.appendingPathComponent("hades-sim"),
                          bundle.deletingLastPathComponent().appendingPathComponent("hades-sim")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    func run(_ executable: String, _ args: [String], in dir: URL = root) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    /// Rounds in a committed set, from its manifest (`"rounds": [first, end]`).
    func rounds(_ name: String) throws -> Int {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.set(name).appendingPathComponent("manifest.json")))
        let range = try XCTUnwrap((manifest as? [String: Any])?["rounds"] as? [Int])
        return range[1] - range[0]
    }

    func copy(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hades-tb-\(name)-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.set(name), to: dir)
        return dir
    }

    /// Each set's manifest records its command; exporting again must give the same files byte for byte.
    func testCommittedVectorSetsAreUpToDate() throws {
        for name in Self.sets {
            let dir = Self.set(name)
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
            let command = try XCTUnwrap((manifest as? [String: Any])?["command"] as? String, name)
            var args = command.split(separator: " ").map(String.init)
            XCTAssertEqual(args.first, "hades-sim")
            XCTAssertEqual(Array(args.suffix(2)), ["--export-testbench", "DIR"])
            let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("hades-tb-fresh-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: fresh) }
            args = Array(args.dropFirst().dropLast()) + [fresh.path]
            let r = try run(hadesSim.path, args)
            XCTAssertEqual(r.status, 0, r.output)
            let committed = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            XCTAssertEqual(committed, try FileManager.default.contentsOfDirectory(atPath: fresh.path).sorted(), name)
            for file in committed {
                let same = try Data(contentsOf: dir.appendingPathComponent(file)) == Data(contentsOf: fresh.appendingPathComponent(file))
                XCTAssertTrue(same, "testbench/\(name)/\(file) is stale: run `make tb-vectors`")
            }
        }
    }

    func testCommittedSetsPassOnIcarusAndVerilator() throws {
        for name in Self.sets {
            for sim in ["iverilog", "verilator"] {
                let dir = try copy(name)  // run.sh writes nothing there, but keep the checkout untouched anyway
                defer { try? FileManager.default.removeItem(at: dir) }
                let r = try run(dir.appendingPathComponent("run.sh").path, [sim])
                XCTAssertEqual(r.status, 0, "\(name) on \(sim): \(r.output)")
                XCTAssertTrue(r.output.contains("PASS \(try rounds(name)) rounds"), "\(name) on \(sim): \(r.output)")
                XCTAssertFalse(r.output.contains("%Warning"), "\(name) on \(sim): \(r.output)")
            }
        }
    }

    /// One wrong bit in an expected file: both simulators report the round and field and exit non-zero.
    func testCorruptedExpectedValuesFail() throws {
        let cases: [(sim: String, file: String, message: String)] = [
            ("iverilog", "expected_result.hex", "FAIL round 1 field accepted"),
            ("verilator", "expected_tokens.hex", "FAIL round 0 field emitted_token"),
        ]
        for c in cases {
            let dir = try copy("greedy")
            defer { try? FileManager.default.removeItem(at: dir) }
            let url = dir.appendingPathComponent(c.file)
            var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
            // Results: round 1's accepted field starts at bit TW = 16 (V = 49152). Tokens: the first token's bit 0.
            let (line, bit) = c.file == "expected_result.hex" ? (1, 16) : (0, 0)
            var digits = Array(lines[line])
            let at = digits.count - 1 - bit / 4
            digits[at] = Character(String(try XCTUnwrap(Int(String(digits[at]), radix: 16)) ^ (1 << (bit % 4)), radix: 16))
            lines[line] = String(digits)
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            let r = try run(dir.appendingPathComponent("run.sh").path, [c.sim])
            XCTAssertEqual(r.status, 1, "\(c.sim): \(r.output)")
            XCTAssertTrue(r.output.contains(c.message), "\(c.sim): \(r.output)")
            XCTAssertFalse(r.output.contains("PASS"), "\(c.sim): \(r.output)")
        }
    }

    /// cocotb 2.1 + cocotbext-axi on Icarus (tools/install-deps.sh installs them); fails when they are missing.
    func testCocotbAxiStreamTestPassesOnIcarus() throws {
        let build = FileManager.default.temporaryDirectory.appendingPathComponent("hades-cocotb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: build) }
        let python = try XCTUnwrap(ExternalTools.which("python3"), "python3 not found")
        let r = try run(python, ["testbench/cocotb/run.py", Self.set("greedy").path, build.path])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("PASS 2 rounds"), r.output)
    }
}
