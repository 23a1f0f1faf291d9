import Foundation
import Basics
import TestSupport
import XCTest

/// tools/ecp5_bram.py, which `make synth` runs on synth_ecp5's netlist before place and route: a DP16KD's read
/// register moves into the block RAM (REGMODE OUTREG) only where that cannot change what the design computes.
final class ECP5BlockRAMTests: XCTestCase {
    static let root = BuiltProducts.packageRoot

    /// A DP16KD on clock net 2 whose port-B read data bits are `data`; port A unused.
    func ram(data: [Int]) -> [String: Any] {
        var connections: [String: Any] = ["CLKA": [2], "CLKB": [2], "RSTA": ["0"], "RSTB": ["0"], "OCEA": ["0"], "OCEB": ["1"]]
        var directions = ["CLKA": "input", "CLKB": "input", "RSTA": "input", "RSTB": "input", "OCEA": "input", "OCEB": "input"]
        for (i, bit) in data.enumerated() {
            connections["DOB\(i)"] = [bit]
            directions["DOB\(i)"] = "output"
        }
        return ["type": "DP16KD", "parameters": ["REGMODE_A": "NOREG", "REGMODE_B": "NOREG"],
                "port_directions": directions, "connections": connections]
    }

    /// A flip-flop from `d` to `q`; `ce` nil loads every clock.
    func ff(d: Int, q: Int, clock: Int = 2, ce: Int? = nil) -> [String: Any] {
        var connections: [String: Any] = ["CLK": [clock], "LSR": ["0"], "DI": [d], "Q": [q]]
        if let ce { connections["CE"] = [ce] }
        return ["type": "TRELLIS_FF", "parameters": ["CEMUX": ce == nil ? "1" : "CE", "CLKMUX": "CLK", "LSRMUX": "LSR"],
                "port_directions": ["CLK": "input", "LSR": "input", "DI": "input", "CE": "input", "Q": "output"],
                "connections": connections]
    }

    func lut(input: Int, output: Int) -> [String: Any] {
        ["type": "LUT4", "parameters": [:] as [String: Any], "port_directions": ["A": "input", "Z": "output"],
         "connections": ["A": [input], "Z": [output]]]
    }

    func absorb(_ cells: [String: Any]) throws -> (cells: [String: [String: Any]], stdout: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecp5-bram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.json"), output = dir.appendingPathComponent("out.json")
        try JSONSerialization.data(withJSONObject: ["modules": ["top": ["cells": cells, "netnames": [:] as [String: Any]]]])
            .write(to: input)
        let r = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_bram.py").path,
                                                  input.path, output.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as! [String: Any]
        let top = (json["modules"] as! [String: Any])["top"] as! [String: Any]
        return (top["cells"] as! [String: [String: Any]], r.stdout)
    }

    func regmodeB(_ cell: [String: Any]?) -> String? {
        (cell?["parameters"] as? [String: Any])?["REGMODE_B"] as? String
    }

    func pin(_ cell: [String: Any]?, _ name: String) -> [Int]? {
        (cell?["connections"] as? [String: Any])?[name] as? [Int]
    }

    func testAFreeRunningReadRegisterMovesIntoTheBlockRAM() throws {
        let (cells, stdout) = try absorb(["ram": ram(data: [10, 11]), "q0": ff(d: 10, q: 20), "q1": ff(d: 11, q: 21)])
        XCTAssertEqual(regmodeB(cells["ram"]), "OUTREG")
        XCTAssertEqual(pin(cells["ram"], "DOB0"), [20], "the register's output is now the block RAM's")
        XCTAssertEqual(pin(cells["ram"], "DOB1"), [21])
        XCTAssertNil(cells["q0"])
        XCTAssertNil(cells["q1"])
        XCTAssertTrue(stdout.hasPrefix("1 DP16KD"), stdout)
    }

    /// The 36-bit-wide mode reads through both ports' pins: both output registers, both enabled every clock.
    func testAWideReadMovesIntoBothPortsOutputRegisters() throws {
        var wide = ram(data: [10])
        var connections = wide["connections"] as! [String: Any], directions = wide["port_directions"] as! [String: String]
        connections["DOA0"] = [11]
        directions["DOA0"] = "output"
        wide["connections"] = connections
        wide["port_directions"] = directions
        let (cells, _) = try absorb(["ram": wide, "q0": ff(d: 10, q: 20), "q1": ff(d: 11, q: 21)])
        XCTAssertEqual((cells["ram"]?["parameters"] as? [String: Any])?["REGMODE_A"] as? String, "OUTREG")
        XCTAssertEqual(regmodeB(cells["ram"]), "OUTREG")
        XCTAssertEqual(pin(cells["ram"], "DOA0"), [21])
        XCTAssertEqual((cells["ram"]?["connections"] as? [String: Any])?["OCEA"] as? [String], ["1"],
                       "port A's output register loads every clock")
    }

    func testARegisterThatCanHoldOrHasOtherLoadsOrAnotherClockStays() throws {
        let cases: [(String, [String: Any])] = [
            ("a clock enable", ["ram": ram(data: [10, 11]), "q0": ff(d: 10, q: 20), "q1": ff(d: 11, q: 21, ce: 5)]),
            ("a second load", ["ram": ram(data: [10, 11]), "q0": ff(d: 10, q: 20), "q1": ff(d: 11, q: 21),
                               "l": lut(input: 11, output: 30)]),
            ("logic before it", ["ram": ram(data: [10]), "l": lut(input: 10, output: 12), "q0": ff(d: 12, q: 20)]),
            ("another clock", ["ram": ram(data: [10]), "q0": ff(d: 10, q: 20, clock: 3)]),
        ]
        for (label, design) in cases {
            let (cells, stdout) = try absorb(design)
            XCTAssertEqual(regmodeB(cells["ram"]), "NOREG", label)
            XCTAssertEqual(pin(cells["ram"], "DOB0"), [10], label)
            XCTAssertNotNil(cells["q0"], label)
            XCTAssertTrue(stdout.hasPrefix("0 DP16KD"), "\(label): \(stdout)")
        }
    }

    func testAnUnreadableNetlistIsNamed() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).json")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString).json")
        let r = try ProcessRunner.run("python3", [Self.root.appendingPathComponent("tools/ecp5_bram.py").path,
                                                  missing.path, out.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains(missing.path), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no partial output")
    }
}
