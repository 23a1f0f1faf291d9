import Basics
import Foundation
import Golden
import HADES
import HDL
import TestSupport
import ToolRunners
import XCTest

/// Protocol and safety properties of the generated verifier (`FormalHarness`), checked on the committed
/// SymbiYosys files `testbench/formal/*.sby` by `tools/formal.py`.
///
/// CI runs them with Debian Yosys 0.23 (`--backend yosys`: `sat` BMC and ABC PDR on the same Verilog and defines;
/// SymbiYosys needs a newer Yosys, whose WebAssembly build takes ~5 min to compile on first use). `make formal`
/// runs every task of every file through `yowasp-sby`.
final class FormalTests: XCTestCase {
    static let configs = [Reliability.config(7, 2, 3, .fixed(width: 8, fraction: 4)),
                          Reliability.config(10, 4, 4, .fixed(width: 8, fraction: 4))]
    static let formalDir = BuiltProducts.packageRoot.appendingPathComponent("testbench/formal")

    override func setUpWithError() throws {
        // A missing tool is a failure, never a skip.
        for tool in ["yosys", "yosys-abc", "python3"] where ExternalTools.which(tool) == nil {
            XCTFail("\(tool) is needed (tools/install-deps.sh installs it)")
            throw CocoaError(.fileNoSuchFile)
        }
    }

    /// `make formal-rtl` output is committed: regenerating it gives the same bytes.
    func testCommittedFormalFilesAreFresh() throws {
        let dir = try Reliability.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in Self.configs {
            let r = try BuiltProducts.run("hades-export", ["formal", "--gamma", "\(c.gammaMax)", "--vocab", "\(c.vocab)", "--lanes",
                                         "\(c.lanes)", "--format", "\(c.format)", "--dir", dir.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            for ext in ["v", "sby"] {
                let name = FormalHarness.formalName(c) + "." + ext
                let fresh = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                let committed = try? String(contentsOf: Self.formalDir.appendingPathComponent(name), encoding: .utf8)
                XCTAssertEqual(committed, fresh, "testbench/formal/\(name) is stale: run make formal-rtl")
            }
        }
    }

    func testCheckerLintsClean() throws {
        for c in Self.configs {
            let m = try FormalHarness.module(c)
            XCTAssertEqual(try ExternalTools.verilatorLint(VerilogEmitter.emitFiles(m), top: m.name), "", m.name)
        }
    }

    struct TaskResult: Decodable {
        let task: String
        let status: String
        let ok: Bool
        let detail: String
    }

    /// PDR on `ok_axis_result` needs ≈ 180 s of CPU since the FIFOs' one-hot write pointers (241 s wall with the
    /// machine loaded); the limit only bounds a hung solver, a task must still finish with PASS.
    static let taskTimeoutSeconds = 600

    func runFormal(_ c: VerifierConfig, tasks: [String], depth: Int) throws -> [String: TaskResult] {
        let json = try Reliability.temporaryDirectory().appendingPathComponent("results.json")
        defer { try? FileManager.default.removeItem(at: json.deletingLastPathComponent()) }
        let sby = Self.formalDir.appendingPathComponent(FormalHarness.formalName(c) + ".sby").path
        let r = try ProcessRunner.run("python3", [BuiltProducts.packageRoot.appendingPathComponent("tools/formal.py").path,
                                     "--backend", "yosys", "--tasks", tasks.joined(separator: ","), "--depth", "\(depth)",
                                     "--timeout", "\(Self.taskTimeoutSeconds)", "--json", json.path, sby])
        print(r.stdout)
        let results = try JSONDecoder().decode([TaskResult].self, from: Data(contentsOf: json))
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(results.count, tasks.count)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.task, $0) })
    }

    /// Every property (AXI4-Stream rules on all four ports and the safety properties) holds for 11 cycles after
    /// reset (first results appear by cycle 10: the environment may end rows early); ok_token and both output
    /// stream rules are proven unbounded by PDR; both broken properties are refuted.
    func testShortFormalRun() throws {
        let results = try runFormal(FormalTests.configs[0],
                                    tasks: ["bmc", "prove_ok_token", "prove_ok_axis_result", "broken_accepted", "broken_token"],
                                    depth: 11)
        for t in ["bmc", "prove_ok_token", "prove_ok_axis_result"] {
            XCTAssertEqual(results[t]?.status, "PASS", "\(t): \(String(describing: results[t]))")
        }
        for t in ["broken_accepted", "broken_token"] {
            XCTAssertEqual(results[t]?.status, "FAIL", "\(t) must be refuted: \(String(describing: results[t]))")
            XCTAssertTrue(results[t]?.detail.contains("counterexample") ?? false)
        }
    }
}
