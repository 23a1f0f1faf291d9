import Golden
@testable import HADES
import HDL
import TestSupport
import XCTest

/// The datapath's building blocks each Verilated alone and compared with a Swift model on seeded random stimulus
/// (every output every cycle, random resets), with back-pressure where the block has any.
final class BlockTests: XCTestCase {
    /// What the FIFO model shares with the stimulus: a producer that respects `full` (as the verifier does).
    final class Occupancy { var full = false }

    /// Both variants: the push straight into the slots, and registered inside (`registeredPush`: an entry lands a
    /// clock after its push, and `full` / `full_next` count it from its push on).
    func testStreamFIFOAgainstModelWithBackPressure() throws {
        let depth = 4, width = 9
        struct Model: CircuitModel {
            let depth: Int
            let registered: Bool
            let occupancy: Occupancy
            var slots: [UInt64]
            var head = 0, tail = 0, count = 0
            /// The registered push and its data (`registered` only).
            var pushQ = false, dataQ: UInt64 = 0
            var popped = 0, fullCycles = 0

            /// Entries held and, with a registered push, the one on its way in: what the producer sees.
            var held: Int { count + (registered && pushQ ? 1 : 0) }

            func outputs(_ i: PortValues) -> PortValues {
                let push = i["push"] == 1, pop = count != 0 && i["m_axis_tready"] == 1
                let next = held + (push ? 1 : 0) - (pop ? 1 : 0)
                return ["full": held == depth ? 1 : 0, "full_next": next == depth ? 1 : 0,
                        "m_axis_tvalid": count != 0 ? 1 : 0, "m_axis_tdata": slots[head]]
            }

            mutating func clock(_ i: PortValues, reset: Bool) {
                let pop = count != 0 && i["m_axis_tready"] == 1
                let lands = registered ? pushQ : i["push"] == 1
                if lands { slots[tail] = registered ? dataQ : i["push_data"]! }  // the slots have no reset
                if reset {
                    head = 0; tail = 0; count = 0
                } else {
                    if lands { tail = (tail + 1) % depth }
                    if pop { head = (head + 1) % depth; popped += 1 }
                    count += (lands ? 1 : 0) - (pop ? 1 : 0)
                }
                pushQ = !reset && i["push"] == 1
                dataQ = i["push_data"]!
                if count == depth { fullCycles += 1 }
                occupancy.full = held == depth
            }
        }
        for registered in [false, true] {
            let occupancy = Occupancy()
            var model = Model(depth: depth, registered: registered, occupancy: occupancy,
                              slots: Array(repeating: 0, count: depth))
            var cycle = 0
            let fifo = try StreamFIFO.module(width: width, depth: depth, registeredPush: registered).module
            try Simulation.compare(fifo, &model, cycles: 6000, seed: 41) { rng in
                // Alternate a slow and a fast consumer so the FIFO runs full and empty.
                cycle += 1
                let slowConsumer = (cycle / 150) % 2 == 0
                let push = !occupancy.full && rng.chance(0.7)
                return ["push": push ? 1 : 0, "push_data": rng.bits(width),
                        "m_axis_tready": rng.chance(slowConsumer ? 0.25 : 0.9) ? 1 : 0]
            }
            XCTAssertGreaterThan(model.popped, 2000, "registered push: \(registered)")
            XCTAssertGreaterThan(model.fullCycles, 200, "the FIFO never ran full (registered push: \(registered))")
        }
    }

    func testArgmaxTreeAgainstModelWithStalls() throws {
        for lanes in [1, 2, 5, 8, 10] {  // groups: 1; 2; 4+1, then 2; 4+4, then 2; 4+4+2, then 3
            let keyBits = 6, tagBits = 3
            let levels = GreedyTiming.argmaxStages(lanes: lanes)
            struct Result: Equatable { var valid: UInt64 = 0, key: UInt64 = 0, lane: UInt64 = 0, flag: UInt64 = 0, tag: UInt64 = 0 }
            struct Model: CircuitModel {
                let lanes: Int, keyBits: Int, levels: Int
                var stages: [Result]
                var ties = 0

                /// Largest key among valid lanes, the lowest such lane; when none is valid, the same over all lanes.
                func tree(_ i: PortValues) -> Result {
                    let valid = i["lane_valid"]!, keys = i["lane_keys"]!
                    let key = { (k: Int) in (keys >> UInt64(k * keyBits)) & ((1 << UInt64(keyBits)) - 1) }
                    let valids = (0..<lanes).filter { (valid >> UInt64($0)) & 1 == 1 }
                    let candidates = valids.isEmpty ? Array(0..<lanes) : valids
                    let best = candidates.max(by: { key($0) < key($1) || (key($0) == key($1) && $0 > $1) })!
                    return Result(valid: valids.isEmpty ? 0 : 1, key: key(best), lane: UInt64(best),
                                  flag: i["lane_flags"]! != 0 ? 1 : 0, tag: i["tag_in"]!)
                }

                func outputs(_ i: PortValues) -> PortValues {
                    let r = stages[levels - 1]
                    return ["max_valid": r.valid, "max_key": r.key, "max_lane": r.lane, "any_flag": r.flag, "tag_out": r.tag]
                }

                mutating func clock(_ i: PortValues, reset: Bool) {
                    let entering = tree(i)
                    if i["enable"] == 1 {
                        let valid = i["lane_valid"]!, keys = i["lane_keys"]!
                        let equalBest = (0..<lanes).filter {
                            (valid >> UInt64($0)) & 1 == 1 && (keys >> UInt64($0 * keyBits)) & ((1 << UInt64(keyBits)) - 1) == entering.key
                        }
                        if equalBest.count > 1 { ties += 1 }
                        stages = [entering] + stages.dropLast()
                    }
                    if reset { for s in stages.indices { stages[s].tag = 0 } }  // only the tag registers reset
                }
            }
            var model = Model(lanes: lanes, keyBits: keyBits, levels: levels, stages: Array(repeating: Result(), count: levels))
            let module = try ArgmaxTree.module(lanes: lanes, keyBits: keyBits, tagBits: tagBits).module
            try Simulation.compare(module, &model, cycles: 4000, seed: 42 + UInt64(lanes)) { rng in
                var keys: UInt64 = 0
                for k in 0..<lanes { keys |= UInt64(rng.below(6) * 10) << UInt64(k * keyBits) }  // few values: ties
                return ["enable": rng.chance(0.7) ? 1 : 0, "lane_valid": rng.bits(lanes) | (rng.chance(0.8) ? 1 : 0),
                        "lane_keys": keys, "lane_flags": rng.chance(0.5) ? 0 : UInt64(1) << UInt64(rng.below(lanes)),
                        "tag_in": rng.bits(tagBits)]
            }
            if lanes > 1 { XCTAssertGreaterThan(model.ties, lanes == 2 ? 100 : 200, "L=\(lanes): the stimulus made few ties") }
        }
    }

    func testLogitKeyAgainstTheGoldenKeyOnRandomAndSpecialCodes() throws {
        for format in [LogitFormat.fp16, .bf16, .fp32, .fixed(width: 12, fraction: 4)] {
            let w = format.bits
            let module = try Module.build("logit_key_\(format.moduleTag)") { m in
                let lane = LogitKey.build(m.input("code", w), format: format)
                m.output("key", w) <== lane.key
                m.output("nan", 1) <== lane.isNaN
            }
            struct Model: CircuitModel {
                let format: LogitFormat
                var nans = 0
                func outputs(_ i: PortValues) -> PortValues {
                    let code = UInt32(i["code"]!)
                    return ["key": UInt64(format.key(code)), "nan": format.isNaN(code) ? 1 : 0]
                }
                mutating func clock(_ i: PortValues, reset: Bool) { if format.isNaN(UInt32(i["code"]!)) { nans += 1 } }
            }
            var specials: [UInt32] = [format.negativeInfinityCode, format.positiveInfinityCode, format.negativeZeroCode, 0]
            if let nan = format.quietNaNCode { specials += [nan, nan | format.signBit, format.exponentMask | 1] }
            var model = Model(format: format)
            try Simulation.compare(module, &model, cycles: 3000, seed: 43) { rng in
                let code = rng.chance(0.3) ? UInt64(specials[rng.below(specials.count)]) : rng.bits(w)
                return ["code": code]
            }
            if format.isFloat { XCTAssertGreaterThan(model.nans, 100, "\(format): few NaN codes tried") }
        }
    }

    /// README: "there is no combinational path from an output's tready to an input's tready", for the greedy,
    /// sampling and tree units, by the DSL's own path analysis (the same one that reports combinational loops).
    func testNoOutputReadyReachesAnInputReadyCombinationally() throws {
        func check(_ module: Module, file: StaticString = #filePath, line: UInt = #line) {
            let outputReadies = Set(module.ports.filter { $0.direction == .input && $0.name.hasPrefix("m_axis_")
                && $0.name.hasSuffix("_tready") }.map(\.name))
            let inputReadies = module.ports.filter { $0.direction == .output && $0.name.hasPrefix("s_axis_")
                && $0.name.hasSuffix("_tready") }.map(\.name)
            XCTAssertGreaterThanOrEqual(outputReadies.count, 2, module.name, file: file, line: line)
            XCTAssertFalse(inputReadies.isEmpty, module.name, file: file, line: line)
            for ready in inputReadies {
                let through = module.combinationalPaths[ready, default: []].intersection(outputReadies)
                XCTAssertTrue(through.isEmpty, "\(module.name): \(ready) depends on \(through.sorted()) without a register",
                              file: file, line: line)
            }
        }
        for (v, g, l, f) in [(50257, 16, 16, LogitFormat.fp16), (10, 4, 1, .fixed(width: 16, fraction: 8)),
                             (1000, 4, 5, .bf16)] {
            check(try GreedyVerifierRTL.module(try VerifierConfig(vocab: v, gammaMax: g, lanes: l, format: f)))
        }
        for (v, n, l) in [(50257, 16, 16), (37, 8, 4)] {
            check(try TreeVerifierRTL.module(try TreeConfig(vocab: v, maxNodes: n, lanes: l, format: .fp16)))
        }
        let sampling = try SamplingVerifierRTL.module(try VerifierConfig(vocab: 100, gammaMax: 3, lanes: 4,
                                                                         format: .fixed(width: 16, fraction: 8)))
        check(sampling)
        // The analysis does see paths: the target stream's ready waits for the draft stream's valid.
        XCTAssertTrue(sampling.combinationalPaths["s_axis_logits_tready", default: []].contains("s_axis_draft_tvalid"))
    }
}
