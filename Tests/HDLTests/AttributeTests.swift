import HDL
import ToolRunners
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

    /// `keep` registers: `(* keep *)` on their `always` blocks, lint-clean, and Yosys keeps two copies of one
    /// enable apart where it merges a plain pair into one flip-flop.
    func testKeptRegistersStayApartInSynthesis() throws {
        let m = try Module.build("keep_demo") { m in
            let go = m.input("go", 1), other = m.input("other", 1), d = m.input("d", 8)
            let copies = (0..<2).map { k -> Value in
                let r = m.reg("kept\(k)", 1, keep: true)
                r <== go
                return r
            }
            let plain = (0..<2).map { k in m.regNext("plain\(k)", other) }
            let enables = copies + plain
            m.output("q", 8) <== concat((0..<4).reversed().map { k in m.regNext("q\(k)", d.bits(2 * k + 1, 2 * k), enable: enables[k]) })
        }
        let text = VerilogEmitter.emit(m)
        XCTAssertEqual(text.components(separatedBy: "(* keep *)\n    always @(posedge aclk)").count - 1, 2, text)
        let files = VerilogEmitter.emitFiles(m)
        XCTAssertEqual(try ExternalTools.verilatorLint(files, top: m.name), "")
        XCTAssertEqual(try ExternalTools.iverilogCheck(files, top: m.name), "")
        let dir = try ExternalTools.writeTemporary(files)
        // Debian Yosys, generic flow (its closing `stat`): 8 data flip-flops, the 2 kept copies, the plain pair as 1.
        let run = try ExternalTools.run("yosys", ["-p", "read_verilog keep_demo.v; synth -flatten -top keep_demo"], in: dir)
        let flops = run.stdout.split(separator: "\n").compactMap { line -> Int? in
            let words = line.split(separator: " ")
            return words.count == 2 && words[0].hasPrefix("$_") && words[0].contains("DFF") ? Int(words[1]) : nil
        }.reduce(0, +)
        XCTAssertEqual(flops, 11, run.combined)
    }

    /// A plain register of a kept register's input is merged into it (the kept one then drives both loads), and
    /// `KeptCopies.mergedIntoKept` names that pair; kept on both sides, the two stay apart and nothing is named.
    func testAPlainRegisterMergesIntoAKeptOneAndTheCheckNamesIt() throws {
        for bothKept in [false, true] {
            let m = try Module.build(bothKept ? "kept_pair" : "kept_and_plain") { m in
                let go = m.input("go", 1), d = m.input("d", 4)
                let first = m.reg("copy_a", 1, keep: true)
                let second = m.reg("copy_b", 1, keep: bothKept)
                first <== go
                second <== go
                m.output("q", 4) <== concat(m.regNext("q1", d.bits(3, 2), enable: second), m.regNext("q0", d.bits(1, 0), enable: first))
            }
            let text = VerilogEmitter.emit(m)
            let pairs = KeptCopies.mergedIntoKept(text)
            XCTAssertEqual(pairs.map { "\($0.kept) <- \($0.merged)" }, bothKept ? [] : ["copy_a <- copy_b"], text)
            let dir = try ExternalTools.writeTemporary(VerilogEmitter.emitFiles(m))
            let run = try ExternalTools.run("yosys", ["-p", "read_verilog \(m.name).v; synth -flatten -top \(m.name)"], in: dir)
            let flops = run.stdout.split(separator: "\n").compactMap { line -> Int? in
                let words = line.split(separator: " ")
                return words.count == 2 && words[0].hasPrefix("$_") && words[0].contains("DFF") ? Int(words[1]) : nil
            }.reduce(0, +)
            XCTAssertEqual(flops, bothKept ? 6 : 5, run.combined)  // 4 data flip-flops and the copies
        }
    }

    /// A memory whose reads never meet its writes carries `(* no_rw_check *)`: lint-clean, and Yosys's
    /// `memory_dff` then leaves a collision undefined instead of building old-data logic, which it does for the same
    /// memory without the attribute when the write enable comes from a register (it cannot prove it exclusive).
    func testMemoryWhoseReadsNeverMeetWritesLeavesCollisionsToYosys() throws {
        func build(_ promise: Bool) throws -> Module {
            try Module.build(promise ? "rw_free" : "rw_checked") { m in
                let mem = m.memory("mem", depth: 32, width: 8, readsNeverMeetWrites: promise)
                mem.write(address: m.regNext("wa", m.input("wa", 5)), data: m.regNext("wd", m.input("wd", 8)),
                          enable: m.regNext("we", m.input("we", 1), reset: 0))
                m.output("q", 8) <== mem.read(address: m.input("ra", 5), enable: m.input("re", 1))
            }
        }
        for promise in [false, true] {
            let m = try build(promise)
            let text = VerilogEmitter.emit(m)
            XCTAssertEqual(text.contains("    (* no_rw_check *) reg  [7:0] mem [0:31];"), promise, text)
            let files = VerilogEmitter.emitFiles(m)
            XCTAssertEqual(try ExternalTools.verilatorLint(files, top: m.name), "")
            XCTAssertEqual(try ExternalTools.iverilogCheck(files, top: m.name), "")
            let dir = try ExternalTools.writeTemporary(files)
            let run = try ExternalTools.run("yosys", ["-p", "read_verilog \(m.name).v; proc; opt; memory_dff"], in: dir)
            XCTAssertTrue(run.stdout.contains(promise ? "don't care on collision" : "non-transparent"), run.combined)
        }
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
