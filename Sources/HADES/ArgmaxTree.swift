import Golden
import HDL

/// A pipelined argmax over L lanes, reducing groups of up to four candidates per level in two register stages:
/// a compare stage (every pair of the group compared, the results and the candidates registered) and a select
/// stage (the group's winner registered). A level of two lanes (odd log2 L) is a group of two; L = 1 is one
/// group of one (two delay stages), so every L has `GreedyTiming.argmaxStages(lanes:)` stages.
/// Invalid lanes never win (the valid bit sits above the key in every comparison); on equal keys the lower lane
/// wins (so the lowest token index wins ties). A tag travels alongside with the same latency, and the lanes' flag
/// bits are OR-reduced on the way (four per stage). Every register moves only when `enable` is high.
enum ArgmaxTree {
    private struct Candidate {
        var valid: Value
        var key: Value
        var lane: Value
    }

    struct Ports {
        let enable, laneValid, laneKeys, laneFlags, tagIn: Value
        let maxValid, maxKey, maxLane, anyFlag, tagOut: Value
    }

    static let groupSize = 4

    /// a > b (unsigned, equal widths) as the borrow of b − a: Yosys `synth_ecp5` maps it to one carry chain whose
    /// last output is the result, where a `>` gets LUT levels after the chain (measured: 183 against 249 MHz).
    static func greater(_ a: Value, _ b: Value) -> Value {
        precondition(a.width == b.width, "greater needs equal widths")
        return (b.zeroExtended(to: b.width + 1) &- a.zeroExtended(to: a.width + 1)).msb
    }

    static func module(lanes: Int, keyBits: Int, tagBits: Int) throws -> Submodule<Ports> {
        let laneBits = max(1, ceilLog2(lanes))
        let stages = GreedyTiming.argmaxStages(lanes: lanes)
        return try Module.submodule(moduleName("hades_argmax_tree", ("l", lanes), ("k", keyBits), ("t", tagBits)),
                                    parameters: [("lanes", "\(lanes)"), ("key_bits", "\(keyBits)"), ("tag_bits", "\(tagBits)")],
                                    doc: ["pipelined argmax, \(stages) register stages (compare, select per level of up to "
                                          + "\(groupSize)), ties to the lowest lane"]) { m in
            let enable = m.input("enable", 1)
            let laneValid = m.input("lane_valid", lanes)
            let laneKeys = m.input("lane_keys", lanes * keyBits)
            let laneFlags = m.input("lane_flags", lanes)
            let tagIn = m.input("tag_in", tagBits)
            let outValid = m.output("max_valid", 1)
            let outKey = m.output("max_key", keyBits)
            let outLane = m.output("max_lane", laneBits)
            let anyFlag = m.output("any_flag", 1)
            let tagOut = m.output("tag_out", tagBits)

            var level = (0..<lanes).map { k in
                Candidate(valid: laneValid[k], key: laneKeys.bits((k + 1) * keyBits - 1, k * keyBits),
                          lane: .literal(UInt64(k), width: laneBits))
            }
            var tag = tagIn
            var flags = (0..<lanes).map { laneFlags[$0] }
            var stage = 0
            func register(_ name: String, _ v: Value, reset: UInt64? = nil) -> Value {
                m.regNext(name, v, reset: reset, enable: enable)
            }
            /// One register stage of the tag and of the flag OR (groups of four).
            func carry() {
                stage += 1
                tag = register("s\(stage)_tag", tag, reset: 0)  // holds the beat-valid bit
                flags = stride(from: 0, to: flags.count, by: groupSize).enumerated().map { g, lo in
                    register("s\(stage)_flag\(g)", concat(Array(flags[lo..<min(flags.count, lo + groupSize)])).orReduce)
                }
            }
            repeat {
                var next: [Candidate] = []
                var compared: [([Candidate], [[Value]])] = []
                // Compare stage: the group's candidates and, for i < j, gt[j][i] = candidate j beats candidate i.
                for (g, lo) in stride(from: 0, to: level.count, by: groupSize).enumerated() {
                    let name = "s\(stage + 1)_g\(g)"
                    let group = level[lo..<min(level.count, lo + groupSize)].enumerated().map { i, c in
                        Candidate(valid: register("\(name)_c\(i)_valid", c.valid), key: register("\(name)_c\(i)_key", c.key),
                                  lane: register("\(name)_c\(i)_lane", c.lane))
                    }
                    let members = Array(level[lo..<min(level.count, lo + groupSize)])
                    var gt = Array(repeating: [Value](repeating: .false, count: members.count), count: members.count)
                    for j in 0..<members.count {
                        for i in 0..<j {
                            gt[j][i] = register("\(name)_gt\(j)\(i)", greater(concat(members[j].valid, members[j].key),
                                                                               concat(members[i].valid, members[i].key)))
                        }
                    }
                    compared.append((group, gt))
                }
                carry()
                // Select stage: the lower pair's and the upper pair's winners (one comparison each), then the upper
                // one when it beats the lower one (one of four comparisons, chosen by the pairs' results).
                for (g, (group, gt)) in compared.enumerated() {
                    let name = "s\(stage + 1)_g\(g)"
                    // Whether the upper pair's winner beats the lower pair's.
                    let upperWins: Value = group.count < 3 ? .false : m.named("\(name)_upper_wins", mux(gt[1][0],
                        group.count == 4 ? mux(gt[3][2], gt[3][1], gt[2][1]) : gt[2][1],
                        group.count == 4 ? mux(gt[3][2], gt[3][0], gt[2][0]) : gt[2][0]))
                    func choose(_ f: (Candidate) -> Value) -> Value {
                        switch group.count {
                        case 1: return f(group[0])
                        case 2: return mux(gt[1][0], f(group[1]), f(group[0]))
                        default:
                            let low = mux(gt[1][0], f(group[1]), f(group[0]))
                            let high = group.count == 4 ? mux(gt[3][2], f(group[3]), f(group[2])) : f(group[2])
                            return mux(upperWins, high, low)
                        }
                    }
                    next.append(Candidate(valid: register("\(name)_valid", choose(\.valid)), key: register("\(name)_key", choose(\.key)),
                                          lane: register("\(name)_lane", choose(\.lane))))
                }
                carry()
                level = next
            } while level.count > 1
            precondition(stage == stages, "argmax tree has \(stage) stages, GreedyTiming says \(stages)")
            precondition(flags.count == 1, "flag OR not finished in \(stages) stages")
            outValid <== level[0].valid
            outKey <== level[0].key
            outLane <== level[0].lane
            anyFlag <== flags[0]
            tagOut <== tag
            return Ports(enable: enable, laneValid: laneValid, laneKeys: laneKeys, laneFlags: laneFlags, tagIn: tagIn,
                         maxValid: outValid, maxKey: outKey, maxLane: outLane, anyFlag: anyFlag, tagOut: tagOut)
        }
    }
}
