import HDL
import XCTest

/// The emitted Verilog of every sample circuit passes `verilator --lint-only -Wall` with no waivers, compiles
/// with `iverilog -g2005 -Wall` without a message, and synthesizes in Yosys without a latch.
final class ToolCheckTests: XCTestCase {
    private func assertCleanInEveryTool(_ module: Module, file: StaticString = #filePath, line: UInt = #line) throws {
        let files = VerilogEmitter.emitFiles(module)
        // Submodules are named after the top, so several designs' files can be loaded together.
        XCTAssertEqual(files.map(\.name), module.hierarchy.map { ($0 === module ? "" : module.name + "_") + $0.name + ".v" },
                       file: file, line: line)
        XCTAssertEqual(try ExternalTools.verilatorLint(files, top: module.name), "", "verilator -Wall", file: file, line: line)
        XCTAssertEqual(try ExternalTools.iverilogCheck(files, top: module.name), "", "iverilog", file: file, line: line)
        let synth = try ExternalTools.yosysSynth(files, top: module.name)
        XCTAssertEqual(synth.latches, 0, "yosys latch count (-1: not found in the log)", file: file, line: line)
    }

    func testCounterIsCleanInVerilatorIverilogAndYosys() throws { try assertCleanInEveryTool(try SampleCircuits.counter()) }
    func testFIFOIsCleanInVerilatorIverilogAndYosys() throws { try assertCleanInEveryTool(try SampleCircuits.fifo()) }
    func testMaxTreeIsCleanInVerilatorIverilogAndYosys() throws { try assertCleanInEveryTool(try SampleCircuits.maxTree()) }
    func testMACIsCleanInVerilatorIverilogAndYosys() throws { try assertCleanInEveryTool(try SampleCircuits.mac()) }
    func testROMIsCleanInVerilatorIverilogAndYosys() throws { try assertCleanInEveryTool(try SampleCircuits.rom()) }
    func testRAMIsCleanInVerilatorIverilogAndYosys() throws { try assertCleanInEveryTool(try SampleCircuits.ram()) }
    func testSequenceDetectorIsCleanInVerilatorIverilogAndYosys() throws {
        try assertCleanInEveryTool(try SampleCircuits.sequenceDetector())
    }

    func testHierarchicalTreeAsOneFileLintsCleanWithOnlyTheFileNameWaiver() throws {
        let module = try SampleCircuits.maxTree()
        let text = VerilogEmitter.emit(module)
        // Child first (named after the top), emitted once although instanced seven times.
        XCTAssertEqual(text.components(separatedBy: "\nmodule sample_max_tree_n8_w8_sample_max2_w8 (").count - 1, 1)
        XCTAssertEqual(text.components(separatedBy: "    sample_max_tree_n8_w8_sample_max2_w8 max_l").count - 1, 7)
        let childAt = try XCTUnwrap(text.range(of: "module sample_max_tree_n8_w8_sample_max2_w8 ("))
        let topAt = try XCTUnwrap(text.range(of: "module \(module.name) ("))
        XCTAssertLessThan(childAt.lowerBound, topAt.lowerBound)
        let files = [(name: "max_tree_all.v", text: text)]
        XCTAssertEqual(try ExternalTools.verilatorLint(files, top: module.name, extraFlags: ["-Wno-DECLFILENAME"]), "")
        XCTAssertEqual(try ExternalTools.iverilogCheck(files, top: module.name), "")
        // Without the waiver Verilator does complain: the check above is not vacuous.
        XCTAssertTrue(try ExternalTools.verilatorLint(files, top: module.name).contains("DECLFILENAME"))
    }

    /// The tool wrappers report problems (so an empty result means something): a width warning, a latch.
    func testToolWrappersReportBadVerilog() throws {
        let bad = """
            `default_nettype none
            module bad (input wire [7:0] a, input wire en, output reg [3:0] y);
                always @(*) begin
                    if (en) y = a;
                end
            endmodule
            `default_nettype wire

            """
        let files = [(name: "bad.v", text: bad)]
        XCTAssertTrue(try ExternalTools.verilatorLint(files, top: "bad").contains("WIDTH"))
        XCTAssertTrue(try ExternalTools.verilatorLint(files, top: "bad").contains("LATCH"))
        XCTAssertGreaterThan(try ExternalTools.yosysSynth(files, top: "bad").latches, 0)
        XCTAssertNotEqual(try ExternalTools.iverilogCheck([(name: "broken.v", text: "module broken (;\nendmodule\n")],
                                                          top: "broken"), "")
    }
}
