import HDL
import TestSupport
import XCTest

/// The typed facilities against Swift models (every output every cycle), their emitted names, and their errors.
final class FacilityTests: XCTestCase {
    typealias C = FacilityCircuits

    func testLayoutPacksAndUnpacksFieldsAtTheirOffsets() {
        var p = C.payload.packed()
        p[C.kind] = 5
        p[C.values, 0] = 0x1F
        p[C.values, 1] = 0x2A  // truncated to 5 bits: 0x0A
        p[C.flag] = 1
        XCTAssertEqual(C.payload.width, 14)
        XCTAssertEqual(C.payload.offset(of: C.values, 1), 8)
        XCTAssertEqual(p.words, [0b1_01010_11111_101])
        let q = C.payload.unpack(p.words)
        XCTAssertEqual([q[C.kind], q[C.values, 0], q[C.values, 1], q[C.flag]], [5, 0x1F, 0x0A, 1])
        XCTAssertEqual(C.payload.unpack([0xFFFF_FFFF]).words, [0x3FFF], "bits above the layout are dropped")
    }

    func testStreamSliceWithLayoutMatchesModelAndNamesFields() throws {
        let module = try C.registerSlice()
        XCTAssertEqual(module.ports.map(\.name), ["aclk", "aresetn", "s_axis_in_tvalid", "s_axis_in_tready",
                                                  "s_axis_in_tdata", "s_axis_in_tlast", "m_axis_out_tvalid",
                                                  "m_axis_out_tready", "m_axis_out_tdata", "m_axis_out_tlast"])
        let verilog = VerilogEmitter.emit(module)
        for wire in ["wire [2:0] in_kind;", "wire [4:0] in_values_0;", "wire [4:0] in_values_1;", "wire in_flag;"] {
            XCTAssertTrue(verilog.contains(wire), "no '\(wire)' in:\n\(verilog)")
        }
        struct Model: CircuitModel {
            var full = false
            var held: UInt64 = 0, heldLast: UInt64 = 0
            var moved = 0
            func outputs(_ i: PortValues) -> PortValues {
                ["s_axis_in_tready": !full || i["m_axis_out_tready"] == 1 ? 1 : 0, "m_axis_out_tvalid": full ? 1 : 0,
                 "m_axis_out_tdata": held, "m_axis_out_tlast": heldLast]
            }
            mutating func clock(_ i: PortValues, reset: Bool) {
                let inFire = i["s_axis_in_tvalid"] == 1 && (!full || i["m_axis_out_tready"] == 1)
                let outFire = full && i["m_axis_out_tready"] == 1
                if inFire {  // data registers have no reset
                    let p = C.payload.unpack([UInt32(i["s_axis_in_tdata"]!)])
                    var q = C.payload.packed()
                    q[C.kind] = p[C.kind]
                    q[C.values, 0] = p[C.values, 1]
                    q[C.values, 1] = p[C.values, 0]
                    q[C.flag] = 1 - p[C.flag]
                    held = UInt64(q.words[0])
                    heldLast = i["s_axis_in_tlast"]!
                }
                if reset { full = false; return }
                if outFire { moved += 1 }
                if inFire { full = true } else if outFire { full = false }
            }
        }
        var model = Model()
        try Simulation.compare(module, &model, cycles: 3000, seed: 31) { rng in
            ["s_axis_in_tvalid": rng.chance(0.6) ? 1 : 0, "s_axis_in_tdata": rng.bits(14),
             "s_axis_in_tlast": rng.bits(1), "m_axis_out_tready": rng.chance(0.6) ? 1 : 0]
        }
        XCTAssertGreaterThan(model.moved, 500)
    }

    func testEnableScopeHoldsEveryRegisterOfTheShiftRegister() throws {
        struct Model: CircuitModel {
            var taps: [UInt64] = [0, 0, 0]
            func outputs(_ i: PortValues) -> PortValues { ["y": taps[2], "y1": taps[0]] }
            mutating func clock(_ i: PortValues, reset: Bool) {
                if reset { taps = [0, 0, 0] } else if i["advance"] == 1 { taps = [i["x"]!, taps[0], taps[1]] }
            }
        }
        var model = Model()
        try Simulation.compare(try C.enabledDelay(), &model, cycles: 2000, seed: 32) { rng in
            ["advance": rng.chance(0.5) ? 1 : 0, "x": rng.bits(8)]
        }
    }

    func testStateMachineMatchesModel() throws {
        struct Model: CircuitModel {
            var phase = C.Phase.idle
            var left = 0
            var dones = 0
            func outputs(_ i: PortValues) -> PortValues {
                ["busy": phase == .count ? 1 : 0, "done": phase == .done ? 1 : 0]
            }
            mutating func clock(_ i: PortValues, reset: Bool) {
                if reset { phase = .idle; left = 0; return }
                switch phase {
                case .idle: if i["start"] == 1 { left = 4; phase = .count }
                case .count: if left == 0 { phase = .done } else { left -= 1 }
                case .done: phase = .idle; dones += 1
                }
            }
        }
        var model = Model()
        try Simulation.compare(try C.countdown(), &model, cycles: 2000, seed: 33) { rng in
            ["start": rng.chance(0.3) ? 1 : 0]
        }
        XCTAssertGreaterThan(model.dones, 50)
    }

    func testTypedInstancePortsConnectPlainPortsAndStreams() throws {
        let module = try C.adderChain()
        struct Model: CircuitModel {
            func outputs(_ i: PortValues) -> PortValues {
                ["total": ((i["x"]! + i["y"]!) & 0xFF) + i["z"]!, "s_axis_tready": i["m_axis_tready"]!,
                 "m_axis_tvalid": i["s_axis_tvalid"]!, "m_axis_tdata": i["s_axis_tdata"]!]
            }
            mutating func clock(_ i: PortValues, reset: Bool) {}
        }
        var model = Model()
        try Simulation.compare(module, &model, cycles: 500, seed: 34) { rng in
            ["x": rng.bits(8), "y": rng.bits(8), "z": rng.bits(8), "s_axis_tvalid": rng.bits(1),
             "s_axis_tdata": rng.bits(8), "m_axis_tready": rng.bits(1)]
        }
        XCTAssertEqual(module.combinationalPaths["s_axis_tready"], ["m_axis_tready"],
                       "the path analysis sees through typed instance ports")
    }

    func testPackNamesAMissingFieldAndAWrongWidth() throws {
        do {
            _ = try Module.build("dut") { m in
                let a = m.input("a", 3)
                m.output("y", C.payload.width) <== m.pack(C.payload, [C.kind: a, C.values: a, C.flag: a[0]])
            }
            XCTFail("a 3-bit value for a 10-bit field elaborated")
        } catch let error as ElaborationError {
            XCTAssertTrue(error.description.contains("field 'values' of payload"), "\(error)")
            XCTAssertTrue(error.description.contains("is 3 bits, expected 10"), "\(error)")
        }
        do {
            _ = try Module.build("dut") { m in
                let a = m.input("a", 3)
                m.output("y", C.payload.width) <== m.pack(C.payload, [C.kind: a])
            }
            XCTFail("a pack without every field elaborated")
        } catch let error as ElaborationError {
            XCTAssertTrue(error.description.contains("field 'values' not given"), "\(error)")
        }
    }
}
