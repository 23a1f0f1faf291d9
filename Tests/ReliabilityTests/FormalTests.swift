import Foundation
import Golden
import HADES
import HDL
import ToolRunners
import XCTest

/// Safety properties of the generated verifier, checked by Yosys (`sat`: BMC and k-induction) and by ABC's PDR
/// (`yosys-abc`) on a checker built with the DSL around the unmodified verifier (`FormalHarness`).
///
/// CI runs the fast part on V = 7, L = 3, Γ = 2, fixed8.4. `make formal` (HADES_FORMAL_FULL=1) adds V = 10, L = 4,
/// Γ = 4, deeper BMC (HADES_FORMAL_DEPTH), PDR on every property and k-induction attempts, and prints a table.
final class FormalTests: XCTestCase {
    static let small = Reliability.config(7, 2, 3, .fixed(width: 8, fraction: 4))
    static let medium = Reliability.config(10, 4, 4, .fixed(width: 8, fraction: 4))

    var env: [String: String] { Reliability.environment }
    var full: Bool { env["HADES_FORMAL_FULL"] == "1" }
    var depth: Int { Int(env["HADES_FORMAL_DEPTH"] ?? "") ?? 24 }
    var timeout: Int { Int(env["HADES_FORMAL_TIMEOUT"] ?? "") ?? 600 }

    override func setUpWithError() throws {
        // A missing tool is a failure, never a skip.
        guard ExternalTools.which("yosys") != nil, ExternalTools.which("yosys-abc") != nil else {
            XCTFail("yosys and yosys-abc are needed (tools/install-deps.sh installs yosys)")
            throw CocoaError(.fileNoSuchFile)
        }
    }

    func testCheckerElaboratesAndLintsClean() throws {
        for c in [Self.small, Self.medium] {
            for target in [nil, "ok"] + FormalHarness.propertyNames {
                let m = try FormalHarness.module(c, target: target)
                XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(m), top: m.name), "", m.name)
            }
        }
    }

    /// Unbounded: PDR proves that tokens and result tokens are always < V (any power-up state, reset any time).
    func testPDRProvesTokensAreBelowVocab() throws {
        let outcome = try FormalHarness.check(Self.small, property: "ok_token", engine: .pdr, timeout: 120)
        print(outcome)
        XCTAssertEqual(outcome.verdict, .proven, outcome.log.suffix(1500).description)
    }

    /// Bounded: every property together holds for 10 cycles after reset (the first results appear by cycle 9:
    /// the environment may end rows early, so a round can take one beat per row).
    func testBMCEveryPropertyFromReset() throws {
        let outcome = try FormalHarness.check(Self.small, property: "ok", engine: .bmc(depth: 10), timeout: 120)
        print(outcome)
        XCTAssertEqual(outcome.verdict, .proven, outcome.log.suffix(1500).description)
    }

    /// The setup is not vacuous: a property that is false (n ≤ γ − 1; tokens < V − 1) is refuted by both engines.
    func testBrokenPropertiesAreRefuted() throws {
        let bmc = try FormalHarness.check(Self.small, property: "ok_accepted", engine: .bmc(depth: 12),
                                          mutation: .acceptedBelowGamma, timeout: 120)
        print(bmc)
        XCTAssertEqual(bmc.verdict, .failed, bmc.log.suffix(1500).description)
        XCTAssertNotNil(bmc.counterexampleStep)
        let pdr = try FormalHarness.check(Self.small, property: "ok_token", engine: .pdr,
                                          mutation: .tokenBelowLastIndex, timeout: 120)
        print(pdr)
        XCTAssertEqual(pdr.verdict, .failed, pdr.log.suffix(1500).description)
        let pdrAccepted = try FormalHarness.check(Self.small, property: "ok_accepted", engine: .pdr,
                                                  mutation: .acceptedBelowGamma, timeout: 120)
        print(pdrAccepted)
        XCTAssertEqual(pdrAccepted.verdict, .failed, pdrAccepted.log.suffix(1500).description)
    }

    /// `make formal`: the whole table for both configurations. No property may fail. Per property: PDR (plain,
    /// then after `scorr`); when neither proves it, k-induction (k ≤ 6) and a BMC from reset as deep as
    /// HADES_FORMAL_DEPTH or the time limit allow (the depth reached is reported).
    func testFullFormalCampaign() throws {
        try XCTSkipUnless(full, "HADES_FORMAL_FULL=1 (make formal) runs the full campaign")
        var table: [String] = []
        func record(_ name: String, _ o: FormalHarness.Outcome) {
            table.append("\(name): \(o)")
            print(table.last!)
            XCTAssertNotEqual(o.verdict, .failed, "\(name) \(o)\n" + o.log.suffix(3000))
        }
        for c in [Self.small, Self.medium] {
            let name = "V=\(c.vocab) L=\(c.lanes) Γ=\(c.gammaMax) \(c.format)"
            for p in FormalHarness.propertyNames {
                var proven = false
                for engine in [FormalHarness.Engine.pdr(simplify: false), .pdr(simplify: true)] where !proven {
                    let o = try FormalHarness.check(c, property: p, engine: engine, timeout: timeout)
                    record(name, o)
                    proven = o.verdict == .proven
                }
                if proven { continue }
                record(name, try FormalHarness.check(c, property: p, engine: .kInduction(maxSteps: 6), timeout: timeout))
                record(name, try FormalHarness.check(c, property: p, engine: .bmc(depth: depth), timeout: timeout))
            }
            record(name, try FormalHarness.check(c, property: "ok", engine: .bmc(depth: depth), timeout: timeout))
        }
        print("formal campaign:\n" + table.joined(separator: "\n"))
    }
}
