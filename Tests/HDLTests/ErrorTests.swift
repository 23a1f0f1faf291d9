import HDL
import ToolRunners
import XCTest

/// Every elaboration check, provoked on purpose: the error names its kind, the signal, the widths where they
/// matter and the Swift file:line where the signal was declared. And legal descriptions that must not error.
final class ErrorTests: XCTestCase {
    private let here = "HDLTests/ErrorTests.swift"

    /// Builds a module expected to fail, returning its error.
    private func elaborationError(file: StaticString = #filePath, line: UInt = #line,
                                  _ body: (ModuleBuilder) throws -> Void) throws -> ElaborationError {
        do {
            let module = try Module.build("dut", body)
            XCTFail("'\(module.name)' elaborated without an error", file: file, line: line)
        } catch let error as ElaborationError {
            return error
        }
        throw NoElaborationError()
    }

    private struct NoElaborationError: Error {}

    /// The single issue of `error`, which must be of `kind` and mention every string in `fragments`.
    @discardableResult
    private func assertSingleIssue(_ error: ElaborationError, _ kind: ElaborationIssue.Kind, mentions fragments: [String],
                                   file: StaticString = #filePath, line: UInt = #line) -> ElaborationIssue? {
        XCTAssertEqual(error.issues.count, 1, "issues:\n\(error)", file: file, line: line)
        guard let issue = error.issues.first else { return nil }
        XCTAssertEqual(issue.kind, kind, "\(issue)", file: file, line: line)
        XCTAssertEqual(issue.module, "dut", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(issue.message.contains(fragment), "'\(fragment)' missing from: \(issue.message)",
                          file: file, line: line)
        }
        XCTAssertTrue(error.description.contains(issue.message), file: file, line: line)
        return issue
    }

    /// A module with a combinational path from input `x` to output `y`.
    private func passThrough() throws -> Module {
        try Module.build("pass_through") { m in m.output("y", 4) <== m.input("x", 4) ^ .literal(5, width: 4) }
    }

    // MARK: widths

    func testWidthMismatchOnConnectNamesSignalBothWidthsAndDeclaration() throws {
        var line = 0
        let error = try elaborationError { m in
            let a = m.input("a", 9)
            let y = m.output("y", 8); line = #line
            y <== a
        }
        assertSingleIssue(error, .widthMismatch, mentions: ["output 'y'", "8-bit", "9-bit", "\(here):\(line)"])
    }

    func testSignednessMismatchOnConnectIsAWidthMismatch() throws {
        var line = 0
        let error = try elaborationError { m in
            let a = m.input("a", 8, signed: true)
            let y = m.output("y", 8); line = #line
            y <== a
        }
        assertSingleIssue(error, .widthMismatch, mentions: ["'y'", "8-bit unsigned", "8-bit signed", "\(here):\(line)"])
    }

    func testWidthMismatchInsideAnOperatorNamesOperandsWidthsAndDeclarations() throws {
        var lineA = 0, lineB = 0, lineY = 0
        let error = try elaborationError { m in
            let a = m.input("a", 8); lineA = #line
            let b = m.input("b", 9); lineB = #line
            let y = m.output("y", 8); lineY = #line
            y <== a & b
        }
        assertSingleIssue(error, .widthMismatch, mentions: [
            "'y'", "\(here):\(lineY)", "'&'", "8 vs 9 bits", "'a' (declared at \(here):\(lineA))",
            "'b' (declared at \(here):\(lineB))",
        ])
    }

    func testMuxArmsOfDifferentWidthsAreAWidthMismatch() throws {
        var line = 0
        let error = try elaborationError { m in
            let c = m.input("c", 1)
            let a = m.input("a", 4)
            let b = m.input("b", 5)
            let y = m.output("y", 4); line = #line
            y <== mux(c, a, b)
        }
        assertSingleIssue(error, .widthMismatch, mentions: ["'y'", "\(here):\(line)", "4-bit unsigned 'a'", "5-bit unsigned 'b'"])
    }

    func testIllFormedWhenConditionIsReportedOnceWithItsLine() throws {
        var line = 0
        let error = try elaborationError { m in
            let a = m.input("a", 2), b = m.input("b", 1), d = m.input("d", 4)
            let y = m.output("y", 4)
            y <== 0
            m.when(a & b) { y <== d }; line = #line
        }
        assertSingleIssue(error, .widthMismatch, mentions: ["when condition at \(here):\(line)", "2 vs 1 bits", "'a'", "'b'"])
    }

    func testWhenConditionWiderThanOneBitIsAWidthMismatch() throws {
        var line = 0
        let error = try elaborationError { m in
            let a = m.input("a", 2), d = m.input("d", 4)
            let y = m.output("y", 4)
            y <== 0
            m.when(a) { y <== d }; line = #line
        }
        assertSingleIssue(error, .widthMismatch, mentions: ["when condition at \(here):\(line)", "2 bits, expected 1"])
    }

    // MARK: drivers

    func testSignalReadButNeverDrivenNamesSignalAndDeclaration() throws {
        var line = 0
        let error = try elaborationError { m in
            let w = m.wire("w", 8); line = #line
            m.output("y", 8) <== w
        }
        assertSingleIssue(error, .undriven, mentions: ["wire 'w'", "never driven", "\(here):\(line)"])
    }

    func testTwoDriversInOneScopeNameSignalAndDeclaration() throws {
        var line = 0
        let error = try elaborationError { m in
            let a = m.input("a", 8), b = m.input("b", 8)
            let y = m.output("y", 8); line = #line
            y <== a
            y <== b
        }
        assertSingleIssue(error, .multipleDrivers, mentions: ["output 'y'", "twice", "\(here):\(line)"])
    }

    func testTwoDriversInOneWhenBranchAreAnError() throws {
        var line = 0
        let error = try elaborationError { m in
            let c = m.input("c", 1), a = m.input("a", 8), b = m.input("b", 8)
            let r = m.reg("r", 8, reset: 0); line = #line
            m.when(c) {
                r <== a
                r <== b
            }
            m.output("y", 8) <== r
        }
        assertSingleIssue(error, .multipleDrivers, mentions: ["register 'r'", "\(here):\(line)"])
    }

    func testAssigningAnInputIsIllegal() throws {
        var line = 0
        let error = try elaborationError { m in
            let a = m.input("a", 8); line = #line
            let b = m.input("b", 8)
            a <== b
            m.output("y", 8) <== a
        }
        assertSingleIssue(error, .illegalAssignment, mentions: ["input 'a'", "\(here):\(line)"])
    }

    func testOutputLeftUnconnectedNamesOutputAndDeclaration() throws {
        var line = 0
        let error = try elaborationError { m in
            _ = m.input("a", 8)
            _ = m.output("y", 3); line = #line
        }
        assertSingleIssue(error, .unconnectedOutput, mentions: ["output 'y'", "not connected", "\(here):\(line)"])
    }

    func testInstanceInputLeftUnconnectedNamesInstancePortAndLine() throws {
        let child = try passThrough()
        var line = 0
        let error = try elaborationError { m in
            let u = m.instance(child, name: "u"); line = #line
            m.output("y", 4) <== u["y"]
        }
        assertSingleIssue(error, .unconnectedOutput, mentions: ["input 'x' of instance 'u'", "not connected", "\(here):\(line)"])
    }

    // MARK: loops and latches

    func testDirectCombinationalLoopIsReported() throws {
        var line = 0
        let error = try elaborationError { m in
            let a = m.input("a", 4)
            let w = m.wire("w", 4); line = #line
            w <== w ^ a
            m.output("y", 4) <== w
        }
        assertSingleIssue(error, .combinationalLoop, mentions: ["'w' (\(here):\(line)) -> 'w' (\(here):\(line))"])
    }

    func testCombinationalLoopThroughTwoWiresNamesBoth() throws {
        var lineP = 0, lineQ = 0
        let error = try elaborationError { m in
            let a = m.input("a", 4)
            let p = m.wire("p", 4); lineP = #line
            let q = m.wire("q", 4); lineQ = #line
            p <== q & a
            q <== p
            m.output("y", 4) <== p
        }
        assertSingleIssue(error, .combinationalLoop, mentions: ["'p' (\(here):\(lineP))", "'q' (\(here):\(lineQ))", " -> "])
    }

    func testCombinationalLoopThroughAnInstanceIsReported() throws {
        let child = try passThrough()
        XCTAssertEqual(child.combinationalPaths["y"], ["x"])
        var line = 0
        let error = try elaborationError { m in
            let a = m.input("a", 4)
            let u = m.instance(child, name: "u"); line = #line
            u["x"] <== u["y"] & a
            m.output("y", 4) <== u["y"]
        }
        assertSingleIssue(error, .combinationalLoop, mentions: ["'u_x' (\(here):\(line))", "'u_y' (\(here):\(line))"])
    }

    func testFeedbackThroughARegisteredInstanceIsNotALoop() throws {
        let child = try Module.build("registered_child") { m in
            m.output("y", 4) <== m.regNext("q", m.input("x", 4))
        }
        XCTAssertEqual(child.combinationalPaths["y"], [])
        let parent = try Module.build("registered_feedback") { m in
            let a = m.input("a", 4)
            let u = m.instance(child, name: "u")
            u["x"] <== u["y"] ^ a
            m.output("y", 4) <== u["y"]
        }
        XCTAssertEqual(parent.combinationalPaths["y"], [])
        let files = VerilogEmitter.emitFiles(parent)
        XCTAssertEqual(try ExternalTools.verilatorLint(files, top: parent.name), "")
    }

    func testWireAssignedOnlyInsideWhenWithoutOtherwiseIsALatch() throws {
        var line = 0
        let error = try elaborationError { m in
            let c = m.input("c", 1), a = m.input("a", 8)
            let w = m.wire("w", 8); line = #line
            m.when(c) { w <== a }
            m.output("y", 8) <== w
        }
        assertSingleIssue(error, .latch, mentions: ["wire 'w'", "latch", "\(here):\(line)"])
    }

    func testSwitchMissingAValueWithoutDefaultIsALatch() throws {
        var line = 0
        let error = try elaborationError { m in
            let s = m.input("s", 2)
            let y = m.output("y", 2); line = #line
            m.switchOn(s) { c in
                c.is(0) { y <== 1 }
                c.is(1, 2) { y <== 2 }
            }
        }
        assertSingleIssue(error, .latch, mentions: ["output 'y'", "\(here):\(line)"])
    }

    // MARK: names

    func testKeywordAndDoubleUnderscorePortNamesAreRejected() throws {
        var lineKeyword = 0, lineUnderscores = 0
        let error = try elaborationError { m in
            let a = m.input("reg", 1); lineKeyword = #line
            m.output("a__b", 1) <== a; lineUnderscores = #line
        }
        XCTAssertEqual(error.issues.map(\.kind), [.badName, .badName], "\(error)")
        XCTAssertTrue(error.issues.contains { $0.message.contains("'reg'") && $0.message.contains("\(here):\(lineKeyword)") },
                      "\(error)")
        XCTAssertTrue(error.issues.contains { $0.message.contains("'a__b'") && $0.message.contains("\(here):\(lineUnderscores)") },
                      "\(error)")
    }

    func testClockAndResetNamesAndDuplicatePortsAreRejected() throws {
        let error = try elaborationError { m in
            let a = m.input("aclk", 1)
            m.output("x", 1) <== a
            m.output("x", 1) <== a
        }
        XCTAssertEqual(error.issues.map(\.kind), [.badName, .badName], "\(error)")
        XCTAssertTrue(error.issues[0].message.contains("'aclk'"))
        XCTAssertTrue(error.issues[1].message.contains("'x'") && error.issues[1].message.contains("used twice"))
    }

    // MARK: legal descriptions

    func testDefaultThenOverrideInWhenIsLegal() throws {
        let module = try Module.build("default_override") { m in
            let c = m.input("c", 1), d = m.input("d", 1), a = m.input("a", 8)
            let y = m.output("y", 8)
            y <== 0
            m.when(c) {
                y <== a
                m.when(d) { y <== ~a }
            }
        }
        let files = VerilogEmitter.emitFiles(module)
        XCTAssertEqual(try ExternalTools.verilatorLint(files, top: module.name), "")
        XCTAssertEqual(try ExternalTools.yosysSynth(files, top: module.name).latches, 0)
    }

    func testSwitchListingEveryValueWithoutDefaultIsLegal() throws {
        let module = try Module.build("full_switch") { m in
            let s = m.input("s", 2), a = m.input("a", 8)
            let y = m.output("y", 8)
            m.switchOn(s) { c in
                c.is(0) { y <== a }
                c.is(1) { y <== ~a }
                c.is(2, 3) { y <== a ^ .literal(0x5A, width: 8) }
            }
        }
        let files = VerilogEmitter.emitFiles(module)
        XCTAssertEqual(try ExternalTools.verilatorLint(files, top: module.name), "")
        XCTAssertEqual(try ExternalTools.yosysSynth(files, top: module.name).latches, 0)
    }

    func testEveryIssueIsReportedNotJustTheFirst() throws {
        let error = try elaborationError { m in
            let a = m.input("a", 8)
            m.output("y", 4) <== a
            _ = m.output("z", 1)
            let w = m.wire("w", 2)
            m.output("v", 2) <== w
        }
        XCTAssertEqual(Set(error.issues.map(\.kind)), [.widthMismatch, .unconnectedOutput, .undriven], "\(error)")
        XCTAssertEqual(error.issues.count, 3, "\(error)")
    }
}
