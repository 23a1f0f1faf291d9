import Foundation
import Basics
import TestSupport
import XCTest

/// tools/ecp5_rom.py, the LUT7s of ECP5 primitives `make synth` reads over the sampling unit's exponential table: for
/// every address the mapped module gives the generic module's word, in Icarus, with Yosys's own simulation models of
/// LUT4, PFUMX and L6MUX21 (its ecp5/cells_sim.v, which nextpnr's packing follows).
final class ECP5ROMMappingTests: XCTestCase {
    static let root = BuiltProducts.packageRoot

    /// A fresh temporary directory (the caller removes it).
    func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecp5-rom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A small sampling unit's Verilog (it holds the table module), written to `dir`; its path.
    func generateSamplingUnit(in dir: URL) throws -> String {
        let verilog = dir.appendingPathComponent("verify.v").path
        let gen = try BuiltProducts.run("hadesgen", ["--mode", "sampling", "--gamma", "2", "--vocab", "300", "--lanes", "4",
                                                     "--format", "fixed16.8", "-o", verilog])
        XCTAssertEqual(gen.status, 0, gen.stderr)
        return verilog
    }

    func bench(_ name: String, bits: Int, width: Int) -> String {
        """
        module tb;
            reg [\(bits - 1):0] f;
            wire [\(width - 1):0] e;
            integer i, errors = 0;
            \(name) dut (.f(f), .e(e));
            initial begin
                for (i = 0; i < \(1 << bits); i = i + 1) begin
                    f = i;
                    #1 $display("word %0d %h", i, e);
                end
                $finish;
            end
        endmodule

        """
    }

    func testMappedTableGivesTheGenericWordAtEveryAddress() throws {
        let candidates = ["/usr/share/yosys/ecp5", "/usr/local/share/yosys/ecp5"]
        let libraryDir = try XCTUnwrap(candidates.first { FileManager.default.fileExists(atPath: "\($0)/cells_sim.v") },
                                       "Yosys's ecp5/cells_sim.v not found in \(candidates): install yosys (make deps)")
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let verilog = try generateSamplingUnit(in: dir)
        let mapped = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_rom.py").path, verilog])
        XCTAssertEqual(mapped.status, 0, mapped.stderr)
        let generic = try String(contentsOfFile: verilog, encoding: .utf8)
        let found = try NSRegularExpression(pattern: #"^module (\w+_exp2_table_r(\d+)_e(\d+)) \("#, options: .anchorsMatchLines)
            .matches(in: generic, range: NSRange(generic.startIndex..., in: generic)).map { m -> (String, Int, Int) in
                let g = { (i: Int) in String(generic[Range(m.range(at: i), in: generic)!]) }
                return (g(1), Int(g(2))!, Int(g(3))! + 1)
            }
        XCTAssertEqual(found.count, 1, "one table module, instantiated per lane and side")
        XCTAssertFalse(mapped.stdout.contains("case"), "the mapped table is primitives only")
        for (name, bits, width) in found {
            XCTAssertTrue(mapped.stdout.contains("module \(name) ("), "\(name) is mapped")
            var words: [String: [Substring]] = [:]
            for (label, sources) in [("generic", [generic]), ("ECP5", [mapped.stdout, "`include \"cells_sim.v\"\n"])] {
                let files = (sources + [bench(name, bits: bits, width: width)]).enumerated().map { k, text in
                    let path = dir.appendingPathComponent("\(label)-\(k).v")
                    try? text.write(to: path, atomically: true, encoding: .utf8)
                    return path.path
                }
                let out = dir.appendingPathComponent("\(label).vvp").path
                let compiled = try ProcessRunner.run("iverilog", ["-g2005", "-I", libraryDir, "-s", "tb", "-o", out] + files)
                XCTAssertEqual(compiled.status, 0, "\(label): \(compiled.combined)")
                let run = try ProcessRunner.run("vvp", ["-n", out])
                words[label] = run.stdout.split(separator: "\n").filter { $0.hasPrefix("word ") }
            }
            XCTAssertEqual(words["generic"]?.count, 1 << bits, "every address read")
            XCTAssertEqual(words["ECP5"], words["generic"], "\(name): the mapped words differ from the case statement's")
            XCTAssertNotEqual(Set(words["generic"] ?? []).count, 1, "the table is not constant")
        }
    }

    func testATableWithAMissingEntryIsNamed() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let verilog = try generateSamplingUnit(in: dir)
        let text = try String(contentsOfFile: verilog, encoding: .utf8)
        let cut = try XCTUnwrap(text.range(of: #"7'h5: begin\s*table\w* = 29'h[0-9a-f]+;\s*end"#, options: .regularExpression),
                                "entry 5 of the table")
        let broken = dir.appendingPathComponent("broken.v").path
        try text.replacingCharacters(in: cut, with: "").write(toFile: broken, atomically: true, encoding: .utf8)
        let r = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_rom.py").path, broken])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("exp2_table_r7_e28") && r.stderr.contains("127 entries"), r.stderr)
        XCTAssertTrue(r.stdout.isEmpty, "no partial output")
    }

    func testAMissingFileIsNamed() throws {
        let r = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_rom.py").path, "/nonexistent/x.v"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/nonexistent/x.v"), r.stderr)
        XCTAssertTrue(r.stdout.isEmpty)
    }
}
