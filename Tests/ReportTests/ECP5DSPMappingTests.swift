import Foundation
import Basics
import TestSupport
import XCTest

/// tools/ecp5_dsp.py, the MULT18X18D definitions `make synth` reads over the generator's registered products: on
/// random operands the mapped module gives the generic module's products with the same latency, in Icarus, against
/// a model of the MULT18X18D features it uses (input registers, output register, unsigned or signed operands;
/// Lattice's sysDSP guide). Yosys has only a blackbox of the primitive, so the model is written here.
final class ECP5DSPMappingTests: XCTestCase {
    static let root = BuiltProducts.packageRoot

    /// The MULT18X18D ports the mapping connects; the parameters it sets select which stages are registered.
    static let primitiveModel: String = {
        func pins(_ p: String, _ n: Int) -> String { (0..<n).map { "\(p)\($0)" }.joined(separator: ", ") }
        func bus(_ p: String, _ n: Int) -> String { "{" + (0..<n).reversed().map { "\(p)\($0)" }.joined(separator: ", ") + "}" }
        return """
        module MULT18X18D #(parameter REG_INPUTA_CLK = "NONE", parameter REG_INPUTB_CLK = "NONE",
                            parameter REG_INPUTC_CLK = "NONE", parameter REG_PIPELINE_CLK = "NONE",
                            parameter REG_OUTPUT_CLK = "NONE", parameter GSR = "ENABLED", parameter RESETMODE = "SYNC") (
            input \(pins("A", 18)), input \(pins("B", 18)), input \(pins("C", 18)),
            input SIGNEDA, SIGNEDB, SOURCEA, SOURCEB, CLK0, CE0, RST0,
            output \(pins("P", 36)));
            reg [17:0] a_q, b_q;
            reg [35:0] p_q;
            wire [17:0] a_in = \(bus("A", 18)), b_in = \(bus("B", 18));
            wire [17:0] a = REG_INPUTA_CLK == "CLK0" ? a_q : a_in;
            wire [17:0] b = REG_INPUTB_CLK == "CLK0" ? b_q : b_in;
            // SIGNEDA / SIGNEDB: the operand is two's complement (the mapped instances tie them to constants).
            wire [35:0] product = $signed({SIGNEDA & a[17], a}) * $signed({SIGNEDB & b[17], b});
            wire [35:0] p = REG_OUTPUT_CLK == "CLK0" ? p_q : product;
            always @(posedge CLK0) if (CE0) begin a_q <= a_in; b_q <= b_in; p_q <= product; end
            assign \(bus("P", 36)) = p;
        endmodule

        """
    }()

    /// A self-checking bench: random operands each clock, the product compared with a·b two clocks later (a read
    /// as two's complement for a module with a signed a).
    func bench(_ name: String, aBits: Int, bBits: Int, signedA: Bool) -> String {
        // Signed: in a signed context of the product's width, so a2 is sign-extended.
        let expected = signedA ? "$signed(a2) * $signed({1'b0, b2})" : "a2 * b2"
        return """
        module tb;
            reg aclk = 0;
            reg [\(aBits - 1):0] a, a1, a2;
            reg [\(bBits - 1):0] b, b1, b2;
            wire [\(aBits + bBits - 1):0] p;
            wire \(signedA ? "signed " : "")[\(aBits + bBits - 1):0] want = \(expected);
            integer i, errors = 0;
            \(name) dut (.aclk(aclk), .a(a), .b(b), .p(p));
            initial begin
                a = 0; b = 0;
                for (i = 0; i < 400; i = i + 1) begin
                    #1 aclk = 1;
                    a2 = a1; b2 = b1; a1 = a; b1 = b;
                    #1 aclk = 0;
                    if (i >= 2 && p !== want) errors = errors + 1;
                    a = i < 8 ? {\(aBits){1'b1}} : $random; b = i < 8 ? {\(bBits){1'b1}} : $random;
                end
                $display("checked 398 products, %0d wrong", errors);
                $finish;
            end
        endmodule

        """
    }

    func testMappedProductsMatchTheGenericModuleOnRandomOperands() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecp5-dsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let verilog = dir.appendingPathComponent("verify.v").path
        let gen = try BuiltProducts.run("hadesgen", ["--mode", "sampling", "--gamma", "2", "--vocab", "300", "--lanes", "4",
                                                     "--format", "fixed16.8", "-o", verilog])
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let mapped = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_dsp.py").path, verilog])
        XCTAssertEqual(mapped.status, 0, mapped.stderr)
        let generic = try String(contentsOfFile: verilog, encoding: .utf8)
        let modules = try NSRegularExpression(pattern: #"^module (\w+_mul_([su])(\d+)_u(\d+)) \("#, options: .anchorsMatchLines)
            .matches(in: generic, range: NSRange(generic.startIndex..., in: generic)).map { m -> (String, Int, Int, Bool) in
                let g = { (i: Int) in String(generic[Range(m.range(at: i), in: generic)!]) }
                return (g(1), Int(g(3))!, Int(g(4))!, g(2) == "s")
            }
        XCTAssertGreaterThanOrEqual(modules.count, 3, "the y product and the limbs of the two wide products")
        XCTAssertEqual(modules.filter(\.3).count, 1, "the y product, signed")
        for (name, aBits, bBits, signedA) in modules {
            XCTAssertTrue(mapped.stdout.contains("module \(name) ("), "\(name) is mapped")
            for (label, source) in [("generic", generic), ("MULT18X18D", mapped.stdout + Self.primitiveModel)] {
                let files = [("unit.v", source), ("tb.v", bench(name, aBits: aBits, bBits: bBits, signedA: signedA))].map { file, text in
                    let path = dir.appendingPathComponent("\(label)-\(name)-\(file)")
                    try? text.write(to: path, atomically: true, encoding: .utf8)
                    return path.path
                }
                let out = dir.appendingPathComponent("\(label)-\(name).vvp").path
                let compiled = try ProcessRunner.run("iverilog", ["-g2005", "-s", "tb", "-o", out] + files)
                XCTAssertEqual(compiled.status, 0, "\(label) \(name): \(compiled.combined)")
                let run = try ProcessRunner.run("vvp", ["-n", out])
                XCTAssertTrue(run.stdout.contains("checked 398 products, 0 wrong"), "\(label) \(name): \(run.combined)")
            }
        }
    }

    func testAMissingFileIsNamed() throws {
        let r = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_dsp.py").path, "/nonexistent/x.v"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/nonexistent/x.v"), r.stderr)
        XCTAssertTrue(r.stdout.isEmpty)
    }
}
