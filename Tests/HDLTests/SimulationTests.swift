import HDL
import TestSupport
import ToolRunners
import XCTest

/// Each sample circuit, Verilated from its emitted Verilog, against a Swift model on seeded random stimulus:
/// every output compared every cycle. (Verilator starts every register and memory word at 0, as do the models.)
final class SimulationTests: XCTestCase {
    func testCounterMatchesSwiftModelEveryCycle() throws {
        struct Model: CircuitModel {
            var value: UInt64 = 0
            var wraps = 0
            func outputs(_ i: PortValues) -> PortValues { ["count": value] }
            mutating func clock(_ i: PortValues, reset: Bool) {
                if reset || i["clear"] == 1 { value = 0 } else if i["enable"] == 1 {
                    value = (value + 1) & 0xFF
                    if value == 0 { wraps += 1 }
                }
            }
        }
        var model = Model()
        let n = try Simulation.compare(try SampleCircuits.counter(), &model, cycles: 3000, seed: 1) { rng in
            ["enable": rng.chance(0.9) ? 1 : 0, "clear": rng.chance(0.003) ? 1 : 0]
        }
        XCTAssertEqual(n, 3002)
        XCTAssertGreaterThan(model.wraps, 0, "stimulus never wrapped the counter")
    }

    func testFIFOMatchesSwiftModelEveryCycle() throws {
        struct Model: CircuitModel {
            var slots = [UInt64](repeating: 0, count: 4)
            var head = 0, tail = 0, count = 0
            var sawFull = 0, sawEmpty = 0, transfers = 0
            func outputs(_ i: PortValues) -> PortValues {
                ["s_axis_tready": count != 4 ? 1 : 0, "m_axis_tvalid": count != 0 ? 1 : 0, "m_axis_tdata": slots[head]]
            }
            mutating func clock(_ i: PortValues, reset: Bool) {
                let push = i["s_axis_tvalid"] == 1 && count != 4
                let pop = i["m_axis_tready"] == 1 && count != 0
                if count == 4 { sawFull += 1 }
                if count == 0 { sawEmpty += 1 }
                if push { slots[tail] = i["s_axis_tdata"]! }  // the slots have no reset
                if reset {
                    head = 0; tail = 0; count = 0
                    return
                }
                if pop { transfers += 1 }
                if push { tail = (tail + 1) % 4 }
                if pop { head = (head + 1) % 4 }
                count += (push ? 1 : 0) - (pop ? 1 : 0)
            }
        }
        var model = Model()
        var phase = 0
        try Simulation.compare(try SampleCircuits.fifo(), &model, cycles: 4000, seed: 2) { rng in
            // Alternate producer-heavy and consumer-heavy stretches so the FIFO fills and drains.
            phase += 1
            let fill = (phase / 100) % 2 == 0
            return ["s_axis_tvalid": rng.chance(fill ? 0.8 : 0.3) ? 1 : 0, "s_axis_tdata": rng.bits(8),
                    "m_axis_tready": rng.chance(fill ? 0.3 : 0.8) ? 1 : 0]
        }
        XCTAssertGreaterThan(model.sawFull, 100)
        XCTAssertGreaterThan(model.sawEmpty, 100)
        XCTAssertGreaterThan(model.transfers, 1000)
    }

    /// The model is the specification (argmax of the 8 lanes, lowest index on ties, 3 cycles later), not the
    /// tree structure.
    func testMaxTreeMatchesArgmaxSpecificationEveryCycle() throws {
        struct Model: CircuitModel {
            var stages: [(valid: Bool, data: UInt64)] = Array(repeating: (false, 0), count: SampleCircuits.treeLatency)
            var ties = 0
            static func argmax(_ data: UInt64) -> (max: Int, index: Int, tie: Bool) {
                let lanes = (0..<SampleCircuits.treeLanes).map { signedValue((data >> UInt64(8 * $0)) & 0xFF, 8) }
                let best = lanes.max()!
                return (best, lanes.firstIndex(of: best)!, lanes.filter { $0 == best }.count > 1)
            }
            func outputs(_ i: PortValues) -> PortValues {
                let last = stages[stages.count - 1]
                let r = Model.argmax(last.data)
                return ["out_valid": last.valid ? 1 : 0, "out_max": bits(r.max, 8), "out_idx": UInt64(r.index)]
            }
            mutating func clock(_ i: PortValues, reset: Bool) {
                if i["in_valid"] == 1, Model.argmax(i["in_data"]!).tie { ties += 1 }
                // Data registers have no reset; the valid bits do.
                stages = [(i["in_valid"] == 1 && !reset, i["in_data"]!)]
                    + stages.dropLast().map { (valid: $0.valid && !reset, data: $0.data) }
            }
        }
        var model = Model()
        let module = try SampleCircuits.maxTree()
        try Simulation.compare(module, &model, cycles: 3000, seed: 3) { rng in
            var data: UInt64 = 0
            let special: [UInt64] = [0x80, 0xFF, 0x00, 0x7F, 0x01, 0xFE]
            let fewValues = rng.chance(0.5)  // draw from a few values so ties and extremes are common
            for lane in 0..<SampleCircuits.treeLanes {
                let v = fewValues ? special[Int(rng.next() % UInt64(special.count))] : rng.bits(8)
                data |= v << UInt64(8 * lane)
            }
            return ["in_valid": rng.chance(0.7) ? 1 : 0, "in_data": data]
        }
        XCTAssertGreaterThan(model.ties, 500, "stimulus made too few ties")
    }

    func testSignedMACAndOperatorsMatchSwiftModelEveryCycle() throws {
        struct Model: CircuitModel {
            var acc = 0  // 20-bit signed
            var negatives = 0, wraps = 0
            func outputs(_ i: PortValues) -> PortValues {
                let a = signedValue(i["a"]!, 8), b = signedValue(i["b"]!, 8), shamt = Int(i["shamt"]!)
                let ua = i["a"]!, ub = i["b"]!
                let u = bits(acc, 20)
                return [
                    "acc_out": u,
                    "negative": acc < 0 ? 1 : 0,
                    "parity": UInt64(u.nonzeroBitCount & 1),
                    "all_ones": u == 0xFFFFF ? 1 : 0,
                    "nonzero": acc != 0 ? 1 : 0,
                    "scaled": bits(acc >> 4, 16),
                    "doubled": bits(acc * 2, 21),
                    "dyn_right": bits(acc >> shamt, 20),
                    "dyn_left": bits(acc << shamt, 20),
                    "rotated": ((u & 0xFF) << 12) | (u >> 8),
                    "max_ab": bits(max(a, b), 8),
                    "sum": bits(a + b, 9),
                    "diff": bits(a - b, 9),
                    "less_signed": a <= b ? 1 : 0,
                    "less_unsigned": ua < ub ? 1 : 0,
                    "below_signed": a < signedValue(ub & 0xF, 4) ? 1 : 0,
                    "below_unsigned": ua & 0x3F < ub ? 1 : 0,
                    "mixed": (ua & ~ub & 0xFF) | (ua ^ (shamt & 1 == 1 ? 0xFF : 0)),
                ]
            }
            mutating func clock(_ i: PortValues, reset: Bool) {
                if reset || i["clear"] == 1 { acc = 0; return }
                guard i["valid"] == 1 else { return }
                let sum = acc + signedValue(i["a"]!, 8) * signedValue(i["b"]!, 8)
                acc = signedValue(bits(sum, 20), 20)
                if acc != sum { wraps += 1 }
                if acc < 0 { negatives += 1 }
            }
        }
        var model = Model()
        var cycle = 0
        try Simulation.compare(try SampleCircuits.mac(), &model, cycles: 4000, seed: 4) { rng in
            // Stretches of random, equal (positive products) and opposite (negative products) operands, so the
            // accumulator also runs over its 20 bits in both directions.
            cycle += 1
            let a = rng.bits(8)
            let b: UInt64
            switch (cycle / 150) % 3 {
            case 0: b = rng.bits(8)
            case 1: b = a
            default: b = bits(-signedValue(a, 8), 8) & 0xFF
            }
            return ["valid": rng.chance(0.8) ? 1 : 0, "clear": rng.chance(0.001) ? 1 : 0,
                    "a": a, "b": b, "shamt": rng.bits(3)]
        }
        XCTAssertGreaterThan(model.negatives, 100)
        XCTAssertGreaterThan(model.wraps, 0, "the accumulator never wrapped")
    }

    func testROMLookupMatchesContentsEveryCycle() throws {
        struct Model: CircuitModel {
            var registered: UInt64 = 0
            static func lookup(_ address: UInt64) -> UInt64 {
                address < SampleCircuits.romContents.count ? SampleCircuits.romContents[Int(address)] : 0
            }
            func outputs(_ i: PortValues) -> PortValues {
                ["data": Model.lookup(i["addr"]!), "data_q": registered,
                 "in_range": i["addr"]! < SampleCircuits.romContents.count ? 1 : 0]
            }
            mutating func clock(_ i: PortValues, reset: Bool) { registered = Model.lookup(i["addr"]!) }
        }
        var model = Model()
        let module = try SampleCircuits.rom()
        XCTAssertFalse(module.usesReset, "the ROM has no reset")
        try Simulation.compare(module, &model, cycles: 2000, seed: 5) { rng in ["addr": rng.bits(5)] }
    }

    func testMemoryWriteThenSyncReadMatchesSwiftModelEveryCycle() throws {
        struct Model: CircuitModel {
            var memory = [UInt64](repeating: 0, count: 16)
            var readData: UInt64 = 0
            var readsOfWritten = 0, collisions = 0
            var written = Set<UInt64>()
            func outputs(_ i: PortValues) -> PortValues { ["rdata": readData] }
            mutating func clock(_ i: PortValues, reset: Bool) {
                if i["re"] == 1 {
                    readData = memory[Int(i["raddr"]!)]  // read-before-write: the old word
                    if written.contains(i["raddr"]!) { readsOfWritten += 1 }
                    if i["we"] == 1 && i["waddr"] == i["raddr"] { collisions += 1 }
                }
                if i["we"] == 1 {
                    memory[Int(i["waddr"]!)] = i["wdata"]!
                    written.insert(i["waddr"]!)
                }
            }
        }
        var model = Model()
        try Simulation.compare(try SampleCircuits.ram(), &model, cycles: 3000, seed: 6) { rng in
            ["we": rng.chance(0.5) ? 1 : 0, "waddr": rng.bits(4), "wdata": rng.bits(8),
             "re": rng.chance(0.7) ? 1 : 0, "raddr": rng.bits(4)]
        }
        XCTAssertGreaterThan(model.readsOfWritten, 1000)
        XCTAssertGreaterThan(model.collisions, 10, "no same-address read and write in one cycle")
    }

    /// The model is the specification: the last four valid bits since reset are 1101 (the state output is the
    /// longest suffix of the stream that is a prefix of 1101).
    func testSequenceDetectorMatchesSpecificationEveryCycle() throws {
        struct Model: CircuitModel {
            var history: [UInt64] = []  // valid bits since reset, at most the last 3
            var hits: UInt64 = 0
            var totalHits = 0
            var state: UInt64 {
                let pattern: [UInt64] = [1, 1, 0, 1]
                for n in stride(from: min(3, history.count), through: 1, by: -1)
                where Array(history.suffix(n)) == Array(pattern.prefix(n)) { return UInt64(n) }
                return 0
            }
            func found(_ i: PortValues) -> Bool { history.suffix(3) == [1, 1, 0] && i["bit_in"] == 1 }
            func outputs(_ i: PortValues) -> PortValues {
                ["detected": found(i) && i["valid"] == 1 ? 1 : 0, "state": state, "hits": hits]
            }
            mutating func clock(_ i: PortValues, reset: Bool) {
                if reset { history = []; hits = 0; return }
                guard i["valid"] == 1 else { return }
                if found(i) { hits = (hits + 1) & 0xFF; totalHits += 1 }
                history = Array((history + [i["bit_in"]!]).suffix(3))
            }
        }
        var model = Model()
        try Simulation.compare(try SampleCircuits.sequenceDetector(), &model, cycles: 4000, seed: 7) { rng in
            ["bit_in": rng.chance(0.6) ? 1 : 0, "valid": rng.chance(0.8) ? 1 : 0]
        }
        XCTAssertGreaterThan(model.totalHits, 200)
    }

    func testSwitchWithoutDefaultKeepsUnlistedValuesAndItemsThatDoNotDrive() throws {
        struct Model: CircuitModel {
            var held: UInt64 = 0
            func outputs(_ i: PortValues) -> PortValues {
                let a = i["a"]!, b = i["b"]!
                switch i["sel"]! {
                case 0: return ["held_out": held, "partial_out": a, "only_last_out": 0x22, "all_but_last_out": a]
                case 1: return ["held_out": held, "partial_out": 0x11, "only_last_out": 0x22, "all_but_last_out": a]
                case 2: return ["held_out": held, "partial_out": b, "only_last_out": 0x22, "all_but_last_out": b]
                default: return ["held_out": held, "partial_out": 0x11, "only_last_out": b, "all_but_last_out": a ^ b]
                }
            }
            mutating func clock(_ i: PortValues, reset: Bool) {
                if reset { held = 0x33 } else if i["sel"] == 0 { held = i["a"]! } else if i["sel"] == 1 { held = i["b"]! }
            }
        }
        var model = Model()
        let module = try SampleCircuits.switchSemantics()
        try Simulation.compare(module, &model, cycles: 1000, seed: 8) { rng in
            ["sel": rng.bits(2), "a": rng.bits(8), "b": rng.bits(8)]
        }
        let files = VerilogEmitter.emitFiles(module)
        XCTAssertEqual(try ExternalTools.verilatorLint(files, top: module.name), "")
        XCTAssertEqual(try ExternalTools.yosysSynth(files, top: module.name).latches, 0)
    }
}
