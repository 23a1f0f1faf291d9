import HDL
import XCTest

/// Verilog-2001 attributes on ports: emitted before the port, accepted by Verilator -Wall, Icarus and Yosys
/// (which keeps them on the wire), and refused on a name that is not a port.
final class AttributeTests: XCTestCase {
    func tagged() throws -> Module {
        try Module.build("attr_demo") { m in
            m.attribute(port: "aclk", "X_CLOCK", "clk info")
            m.attribute(port: "d", "X_A", "one")
            m.attribute(port: "d", "X_B", "two")
            m.output("q", 8) <== m.regNext("r", m.input("d", 8), reset: 0)
        }
    }

    func testAttributesPrecedeTheirPortsAndEveryToolAcceptsThem() throws {
        let m = try tagged()
        let text = VerilogEmitter.emit(m)
        XCTAssertTrue(text.contains("    (* X_CLOCK = \"clk info\" *)\n    input  wire aclk,\n"), text)
        XCTAssertTrue(text.contains("    (* X_A = \"one\", X_B = \"two\" *)\n    input  wire [7:0] d"), text)
        let files = VerilogEmitter.emitFiles(m)
        XCTAssertEqual(try ExternalTools.verilatorLint(files, top: m.name), "")
        XCTAssertEqual(try ExternalTools.iverilogCheck(files, top: m.name), "")
        let dir = try ExternalTools.writeTemporary(files)
        let dump = try ExternalTools.run("yosys", ["-p", "read_verilog attr_demo.v; dump attr_demo/d"], in: dir)
        XCTAssertTrue(dump.stdout.contains("attribute \\X_B \"two\""), dump.combined)
    }

    func testAttributeOnAMissingPortIsAnError() {
        XCTAssertThrowsError(try Module.build("bad_attr") { m in
            m.attribute(port: "nope", "X_A", "one")
            m.output("q", 1) <== m.input("d", 1)
        }) { error in
            XCTAssertTrue("\(error)".contains("'nope'"), "\(error)")
        }
        XCTAssertThrowsError(try Module.build("bad_value") { m in
            m.attribute(port: "d", "X_A", "say \"hi\"")
            m.output("q", 1) <== m.input("d", 1)
        })
    }
}
