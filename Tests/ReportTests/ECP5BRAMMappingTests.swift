import Foundation
import Basics
import TestSupport
import XCTest

/// tools/ecp5_bram.py, the DP16KD definitions `make synth` reads over the generator's RAM modules (`BankedMemory`):
/// on random writes and reads the mapped module returns what was written with the generic module's latency (2),
/// in Icarus, against a model of the DP16KD features the mapping uses (36-bit writes through port A with byte
/// enables on ADA0-3, 36-bit reads through port B, the output register; Lattice's memory usage guide and Yosys's
/// own 36-bit mapping). Yosys has only a blackbox of the primitive, so the model is written here.
final class ECP5BRAMMappingTests: XCTestCase {
    static let root = BuiltProducts.packageRoot

    static let primitiveModel: String = {
        func pins(_ p: String, _ n: Int) -> String { (0..<n).map { "\(p)\($0)" }.joined(separator: ", ") }
        func bus(_ p: String, _ range: Range<Int>) -> String { "{" + range.reversed().map { "\(p)\($0)" }.joined(separator: ", ") + "}" }
        return """
        module DP16KD #(parameter DATA_WIDTH_A = 18, parameter DATA_WIDTH_B = 18, parameter REGMODE_A = "NOREG",
                        parameter REGMODE_B = "NOREG", parameter WRITEMODE_A = "NORMAL", parameter RESETMODE = "SYNC",
                        parameter CSDECODE_A = "0b000", parameter CSDECODE_B = "0b000", parameter GSR = "ENABLED") (
            input \(pins("DIA", 18)), input \(pins("ADA", 14)), input CEA, OCEA, CLKA, WEA, RSTA, CSA2, CSA1, CSA0,
            output \(pins("DOA", 18)),
            input \(pins("DIB", 18)), input \(pins("ADB", 14)), input CEB, OCEB, CLKB, WEB, RSTB, CSB2, CSB1, CSB0,
            output \(pins("DOB", 18)));
            reg [35:0] mem [0:511];
            reg [35:0] latch, out_q;
            wire [35:0] di = {\(bus("DIB", 0..<18)), \(bus("DIA", 0..<18))};
            wire [8:0] wa = \(bus("ADA", 5..<14)), ra = \(bus("ADB", 5..<14));
            wire [3:0] be = \(bus("ADA", 0..<4));
            initial if (DATA_WIDTH_A != 36 || DATA_WIDTH_B != 36) $display("model: only the 36-bit mode");
            always @(posedge CLKA) if (CEA && WEA) begin
                if (be[0]) mem[wa][8:0] <= di[8:0];
                if (be[1]) mem[wa][17:9] <= di[17:9];
                if (be[2]) mem[wa][26:18] <= di[26:18];
                if (be[3]) mem[wa][35:27] <= di[35:27];
            end
            always @(posedge CLKB) begin
                if (CEB && !WEB) latch <= mem[ra];
                if (OCEB) out_q <= latch;
            end
            assign {\(bus("DOB", 0..<18)), \(bus("DOA", 0..<18))} = REGMODE_B == "OUTREG" ? out_q : latch;
        endmodule

        """
    }()

    /// A self-checking bench: every word written once, then random writes and reads (never the word being written),
    /// each read's data compared two clocks later, holding while the read enable is low.
    func bench(_ name: String, depth: Int, width: Int) -> String {
        let aw = max(1, Int.bitWidth - (depth - 1).leadingZeroBitCount)
        return """
        module tb;
            reg aclk = 0;
            reg [\(aw - 1):0] waddr, raddr;
            reg [\(width - 1):0] wdata, shadow [0:\(depth - 1)], expect1, expect2;
            reg wen, ren;
            wire [\(width - 1):0] q;
            integer i, checked = 0, errors = 0;
            \(name) dut (.aclk(aclk), .waddr(waddr), .wdata(wdata), .wen(wen), .raddr(raddr), .ren(ren), .q(q));
            initial begin
                wen = 0; ren = 0; waddr = 0; raddr = 0; wdata = 0;
                for (i = 0; i < \(depth + 600); i = i + 1) begin
                    if (i < \(depth)) begin
                        wen = 1; waddr = i; ren = 0;
                    end else begin
                        wen = $random; waddr = {$random} % \(depth); ren = $random;
                        raddr = {$random} % \(depth);
                        if (wen && raddr == waddr) raddr = (raddr + 1) % \(depth);
                    end
                    wdata = {\((width + 31) / 32){$random}};
                    #1 aclk = 1;
                    expect2 = expect1;
                    if (ren) expect1 = shadow[raddr];
                    if (wen) shadow[waddr] = wdata;
                    #1 aclk = 0;
                    if (i >= \(depth + 2)) begin
                        checked = checked + 1;
                        if (q !== expect2) errors = errors + 1;
                    end
                end
                $display("checked %0d reads, %0d wrong", checked, errors);
                $finish;
            end
        endmodule

        """
    }

    func testMappedRAMsMatchTheGenericModuleOnRandomWritesAndReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecp5-bram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let verilog = dir.appendingPathComponent("verify.v").path
        // B = 534 beats of 3 lanes: a full bank and a partial one, 96-bit words (three tiles, the last part-used).
        let gen = try BuiltProducts.run("hadesgen", ["--mode", "sampling", "--gamma", "2", "--vocab", "1600", "--lanes", "3",
                                                     "--format", "fixed16.8", "-o", verilog])
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let mapped = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_bram.py").path, verilog])
        XCTAssertEqual(mapped.status, 0, mapped.stderr)
        let generic = try String(contentsOfFile: verilog, encoding: .utf8)
        let modules = try NSRegularExpression(pattern: #"^module (\w+_ram_d(\d+)_w(\d+)) \("#, options: .anchorsMatchLines)
            .matches(in: generic, range: NSRange(generic.startIndex..., in: generic)).map { m -> (String, Int, Int) in
                let g = { (i: Int) in String(generic[Range(m.range(at: i), in: generic)!]) }
                return (g(1), Int(g(2))!, Int(g(3))!)
            }
        XCTAssertEqual(modules.map(\.1).first, 512, "a full bank")
        XCTAssertEqual(modules.count, 2, "a full bank and the partial last one")
        for (name, depth, width) in modules {
            XCTAssertEqual(width, 96)
            XCTAssertTrue(mapped.stdout.contains("module \(name) ("), "\(name) is mapped")
            for (label, source) in [("generic", generic), ("DP16KD", mapped.stdout + Self.primitiveModel)] {
                let files = [("unit.v", source), ("tb.v", bench(name, depth: depth, width: width))].map { file, text in
                    let path = dir.appendingPathComponent("\(label)-\(name)-\(file)")
                    try? text.write(to: path, atomically: true, encoding: .utf8)
                    return path.path
                }
                let out = dir.appendingPathComponent("\(label)-\(name).vvp").path
                let compiled = try ProcessRunner.run("iverilog", ["-g2005", "-s", "tb", "-o", out] + files)
                XCTAssertEqual(compiled.status, 0, "\(label) \(name): \(compiled.combined)")
                let run = try ProcessRunner.run("vvp", ["-n", out])
                XCTAssertTrue(run.stdout.contains("checked 598 reads, 0 wrong"), "\(label) \(name): \(run.combined)")
            }
        }
    }

    func testAMissingFileIsNamed() throws {
        let r = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_bram.py").path, "/nonexistent/x.v"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/nonexistent/x.v"), r.stderr)
        XCTAssertTrue(r.stdout.isEmpty)
    }
}
