import Foundation
import HDL
import ToolRunners
import XCTest

/// The emitted text itself: golden files, determinism, legal names, temporaries and the file header.
final class EmitterTests: XCTestCase {
    /// `Tests/HDLTests/Golden/`, found from this source file (no SwiftPM resources).
    private static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    /// Compares `text` byte for byte with the golden file `name`. With HADES_UPDATE_GOLDEN=1 in the
    /// environment it rewrites the file instead (then review the diff and commit it).
    private func assertMatchesGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.goldenDirectory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["HADES_UPDATE_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("missing golden file \(url.path) (run with HADES_UPDATE_GOLDEN=1 to create it)", file: file, line: line)
            return
        }
        if let diff = firstDifference(expected: golden, actual: text, name: name) {
            XCTFail("emitted text differs from \(url.path) (HADES_UPDATE_GOLDEN=1 rewrites it):\n\(diff)",
                    file: file, line: line)
        }
    }

    func testFirstDifferenceShowsUnifiedDiffStyleLine() {
        XCTAssertNil(firstDifference(expected: "a\nb\n", actual: "a\nb\n", name: "x.v"))
        let diff = firstDifference(expected: "a\nb\nc\n", actual: "a\nB\nc\n", name: "x.v")
        XCTAssertEqual(diff, "--- x.v (golden)\n+++ x.v (emitted)\n@@ line 2 @@\n a\n-b\n+B")
        // A missing final newline or an extra line is a difference too.
        XCTAssertNotNil(firstDifference(expected: "a\n", actual: "a", name: "x.v"))
        XCTAssertEqual(firstDifference(expected: "a\n", actual: "a\nz\n", name: "x.v"),
                       "--- x.v (golden)\n+++ x.v (emitted)\n@@ line 2 @@\n a\n-\n+z")
    }

    // MARK: golden files

    func testCounterVerilogMatchesGoldenFile() throws {
        let module = try SampleCircuits.counter()
        try assertMatchesGolden(VerilogEmitter.emit(module), "sample_counter.v")
    }

    func testFIFOVerilogMatchesGoldenFile() throws {
        let module = try SampleCircuits.fifo()
        try assertMatchesGolden(VerilogEmitter.emit(module), "sample_fifo_d4_w8.v")
    }

    // MARK: determinism

    func testEmittingAModuleBuiltTwiceGivesIdenticalText() throws {
        let makers: [() throws -> Module] = [
            { try SampleCircuits.fifo() }, { try SampleCircuits.maxTree() }, { try SampleCircuits.mac() },
            { try SampleCircuits.sequenceDetector() },
        ]
        for make in makers {
            let first = try make(), second = try make()
            XCTAssertEqual(VerilogEmitter.emit(first), VerilogEmitter.emit(second), first.name)
            XCTAssertEqual(VerilogEmitter.emitFiles(first).map(\.text), VerilogEmitter.emitFiles(second).map(\.text))
            XCTAssertEqual(VerilogEmitter.emit(first), VerilogEmitter.emit(first), "emitting the same module twice")
        }
    }

    // MARK: names, temporaries, header

    /// A module whose author-chosen names are keywords, have `__`, start with a digit or collide, and whose
    /// shared subexpressions need temporaries.
    private func awkwardNames() throws -> Module {
        try Module.build("awkward_names", parameters: [("depth", "4"), ("mode", "fast")],
                         doc: ["names that need legalizing"]) { m in
            let a = m.input("a", 8)
            let b = m.input("b", 8)
            let keyword = m.named("reg", a ^ b)
            let underscores = m.named("a__b", a & b)
            let plain = m.named("a_b", a | b)  // collides with the legalized "a__b"
            let digit = m.named("2x", ~a)
            let edges = m.named("__wire__", keyword & digit)
            let sum = a + b  // 9 bits, shared: a temporary
            m.output("sum_low", 8) <== sum[7, 0]
            m.output("sum_carry", 1) <== sum[8]
            let mixed = (underscores ^ plain) | edges  // shared again
            m.output("mixed_low", 4) <== mixed[3, 0]
            m.output("mixed_high", 4) <== mixed[7, 4]
        }
    }

    /// Declared identifiers (ports, wires, regs, memories) of an emitted module.
    private func declaredNames(_ text: String) -> [String] {
        let declaration = #/^\s*(?:input\s+wire|output\s+wire|output\s+reg|wire|reg)\s+(?:\[\d+:\d+\]\s+)?([A-Za-z_][A-Za-z0-9_$]*)/#
        return text.split(separator: "\n").compactMap { line in
            line.firstMatch(of: declaration).map { String($0.1) }
        }
    }

    func testEmitterLegalizesKeywordAndDoubleUnderscoreNames() throws {
        let module = try awkwardNames()
        let text = VerilogEmitter.emit(module)
        XCTAssertFalse(text.contains("__"), text)
        let names = declaredNames(text)
        XCTAssertEqual(Set(names).count, names.count, "names are unique: \(names)")
        let keywords: Set<String> = ["reg", "wire", "input", "output", "module", "begin", "end", "logic", "assign",
                                     "always", "case", "default", "signed", "integer", "bit", "byte", "int"]
        for name in names {
            XCTAssertNil(name.wholeMatch(of: #/[0-9].*/#), "'\(name)' starts with a digit")
            XCTAssertFalse(keywords.contains(name), "'\(name)' is a keyword")
        }
        for expected in ["reg_s", "a_b", "a_b_1", "n_2x", "wire_s"] {
            XCTAssertTrue(names.contains(expected), "no '\(expected)' in \(names)")
        }
        XCTAssertTrue(text.contains("assign reg_s = (a ^ b);"), text)
        XCTAssertTrue(text.contains("assign a_b = (a & b);"), text)
        XCTAssertTrue(text.contains("assign a_b_1 = (a | b);"), text)
        XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(module), top: module.name), "")
        XCTAssertEqual(try ExternalTools.iverilogCheck(VerilogEmitter.emitFiles(module), top: module.name), "")
    }

    /// A slice of a signal read as signed reads only the slice: the other bits are gathered as deliberately unused
    /// (a reinterpretation once marked its whole operand as read, and Verilator's -Wall then flagged those bits).
    func testSliceOfASignedReinterpretationLeavesTheOtherBitsUnused() throws {
        let module = try Module.build("signed_slice") { m in
            let a = m.input("a", 8)
            let y = m.output("y", 4, signed: true)
            y <== a.asSigned.bits(7, 4).asSigned
        }
        let text = VerilogEmitter.emit(module)
        XCTAssertTrue(text.contains("wire unused_ok = &{1'b0, a[3:0]};"), text)
        XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(module), top: module.name), "")
    }

    func testTemporariesAreNumberedTUnderscoreN() throws {
        let text = VerilogEmitter.emit(try awkwardNames())
        let temporaries = declaredNames(text).filter { $0.hasPrefix("t_") }
        XCTAssertEqual(temporaries, ["t_0", "t_1"], text)
        XCTAssertTrue(text.contains("    wire [8:0] t_0;\n"), text)
        XCTAssertTrue(text.contains("    assign t_0 = ({1'h0, a} + {1'h0, b});\n"), text)
        XCTAssertTrue(text.contains("    assign t_1 = ((a_b ^ a_b_1) | wire_s);\n"), text)
        XCTAssertTrue(text.contains("assign sum_carry = t_0[8];"), text)
        XCTAssertTrue(text.contains("assign mixed_high = t_1[7:4];"), text)
        // Every temporary of every sample circuit follows the pattern.
        for module in [try SampleCircuits.mac(), try SampleCircuits.maxTree(), try SampleCircuits.fifo()] {
            for name in declaredNames(VerilogEmitter.emit(module)) where name.hasPrefix("t") && name.contains("_") {
                if name.hasPrefix("t_") { XCTAssertNotNil(name.wholeMatch(of: #/t_[0-9]+/#), name) }
            }
        }
    }

    func testFileHeaderCarriesGeneratorVersionParametersAndPorts() throws {
        let module = try awkwardNames()
        let text = VerilogEmitter.emit(module, command: "hadesgen --test")
        let header = text.split(separator: "\n", omittingEmptySubsequences: false).prefix { $0.hasPrefix("//") }
            .joined(separator: "\n")
        XCTAssertEqual(header, """
            // Generated by \(VerilogEmitter.generatorVersion). Do not edit: regenerate it.
            // Command: hadesgen --test
            // Top module: awkward_names
            //   names that need legalizing
            // Parameters:
            //   depth = 4
            //   mode = fast
            // Ports:
            //   input     8 a
            //   input     8 b
            //   output    8 sum_low
            //   output    1 sum_carry
            //   output    4 mixed_low
            //   output    4 mixed_high
            """)
        XCTAssertTrue(VerilogEmitter.generatorVersion.hasPrefix("hades-hdl "))
        // A clocked module lists the clock and reset first, with their meaning.
        let counter = VerilogEmitter.emit(try SampleCircuits.counter())
        XCTAssertTrue(counter.contains("//   input     1 aclk  clock, all logic on its rising edge\n"
            + "//   input     1 aresetn  synchronous reset, active low\n"), counter)
        // Each per-module file has its own header.
        for f in VerilogEmitter.emitFiles(try SampleCircuits.maxTree()) {
            XCTAssertTrue(f.text.hasPrefix("// Generated by \(VerilogEmitter.generatorVersion)."), f.name)
            XCTAssertTrue(f.text.contains("// Top module: \(f.name.dropLast(2))\n"), f.name)
        }
    }

    func testPortsKeepTheirNamesAndOrderWithClockAndResetFirst() throws {
        let module = try SampleCircuits.fifo()
        XCTAssertEqual(module.ports.map(\.name), ["aclk", "aresetn", "s_axis_tvalid", "s_axis_tready", "s_axis_tdata",
                                                  "m_axis_tvalid", "m_axis_tready", "m_axis_tdata"])
        XCTAssertEqual(module.ports.map(\.width), [1, 1, 1, 1, 8, 1, 1, 8])
        let combinational = try SampleCircuits.max2()
        XCTAssertFalse(combinational.usesClock)
        XCTAssertEqual(combinational.ports.map(\.name), ["a", "a_idx", "b", "b_idx", "max", "max_idx"])
        XCTAssertEqual(combinational.combinationalPaths["max"], ["a", "b"])
    }
}

/// Nil when equal; otherwise the first differing line in unified-diff style (golden `-`, emitted `+`), with the
/// line before it as context.
func firstDifference(expected: String, actual: String, name: String) -> String? {
    if expected == actual { return nil }
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var i = 0
    while i < e.count, i < a.count, e[i] == a[i] { i += 1 }
    var lines = ["--- \(name) (golden)", "+++ \(name) (emitted)", "@@ line \(i + 1) @@"]
    if i > 0 { lines.append(" " + e[i - 1]) }
    lines.append("-" + (i < e.count ? String(e[i]) : "<end of file>"))
    lines.append("+" + (i < a.count ? String(a[i]) : "<end of file>"))
    return lines.joined(separator: "\n")
}
