import Golden
import HDL

/// A pipelined argmax over L lanes, reducing groups of up to four candidates per level in two register stages:
/// a compare stage (every pair of the group compared, the results and the candidates registered) and a select
/// stage (the group's winner registered). A level of two lanes (odd log2 L) is a group of two; L = 1 is one
/// group of one (two delay stages), so every L has `GreedyTiming.argmaxStages(lanes:)` stages.
/// Invalid lanes never win (the valid bit sits above the key in every comparison); on equal keys the lower lane
/// wins (so the lowest token index wins ties). A tag travels alongside with the same latency, and the lanes' flag
/// bits are OR-reduced on the way (four per stage). Every register moves only when its `enable` bit is high.
enum ArgmaxTree {
    private struct Candidate {
        var valid: Value
        var key: Value
        var lane: Value
    }

    /// `enable` has one bit per slice of `lanesPerEnable` lanes (registered copies of one enable, so no copy
    /// drives the whole tree): a group's registers take the bit of its first lane's slice, the tag bit 0.
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

    static func module(lanes: Int, keyBits: Int, tagBits: Int, lanesPerEnable: Int? = nil) throws -> Submodule<Ports> {
        let laneBits = max(1, ceilLog2(lanes))
        let slice = max(1, min(lanes, lanesPerEnable ?? lanes)), enables = (lanes + slice - 1) / slice
        let stages = GreedyTiming.argmaxStages(lanes: lanes)
        let name = enables == 1 ? moduleName("hades_argmax_tree", ("l", lanes), ("k", keyBits), ("t", tagBits))
            : moduleName("hades_argmax_tree", ("l", lanes), ("k", keyBits), ("t", tagBits), ("e", enables))
        return try Module.submodule(name, parameters: [("lanes", "\(lanes)"), ("key_bits", "\(keyBits)"), ("tag_bits", "\(tagBits)")]
                                        + (enables == 1 ? [] : [("enables", "\(enables)")]),
                                    doc: ["pipelined argmax, \(stages) register stages (compare, select per level of up to "
                                          + "\(groupSize)), ties to the lowest lane"]) { m in
            let enable = m.input("enable", enables)
            /// The enable of registers whose inputs start at `lane`.
            func enableOf(lane: Int) -> Value { enable[min(enables - 1, lane / slice)] }
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
            var span = 1, flagSpan = 1  // lanes per candidate, per flag bit
            func register(_ name: String, _ v: Value, reset: UInt64? = nil, lane: Int = 0) -> Value {
                m.regNext(name, v, reset: reset, enable: enableOf(lane: lane))
            }
            /// One register stage of the tag and of the flag OR (groups of four).
            func carry() {
                stage += 1
                tag = register("s\(stage)_tag", tag, reset: 0)  // holds the beat-valid bit
                flags = stride(from: 0, to: flags.count, by: groupSize).enumerated().map { g, lo in
                    register("s\(stage)_flag\(g)", concat(Array(flags[lo..<min(flags.count, lo + groupSize)])).orReduce,
                             lane: lo * flagSpan)
                }
                flagSpan *= groupSize
            }
            repeat {
                var next: [Candidate] = []
                var compared: [(group: [Candidate], gt: [[Value]])] = []
                // Compare stage: the group's candidates and, for i < j, gt[j][i] = candidate j beats candidate i.
                for (g, lo) in stride(from: 0, to: level.count, by: groupSize).enumerated() {
                    let name = "s\(stage + 1)_g\(g)"
                    let first = lo * span
                    let members = Array(level[lo..<min(level.count, lo + groupSize)])
                    let group = members.enumerated().map { i, c in
                        Candidate(valid: register("\(name)_c\(i)_valid", c.valid, lane: first),
                                  key: register("\(name)_c\(i)_key", c.key, lane: first),
                                  lane: register("\(name)_c\(i)_lane", c.lane, lane: first))
                    }
                    var gt = Array(repeating: [Value](repeating: .false, count: groupSize), count: groupSize)
                    for j in 0..<members.count {
                        for i in 0..<j {
                            gt[j][i] = register("\(name)_gt\(j)\(i)", greater(concat(members[j].valid, members[j].key),
                                                                               concat(members[i].valid, members[i].key)),
                                                lane: first)
                        }
                    }
                    compared.append((group, gt))
                }
                carry()
                // Select stage: the lower pair's and the upper pair's winners, and the upper one when it beats the
                // lower one, which holds exactly when candidate 2 or 3 beats both 0 and 1 (one LUT4 of registered
                // bits, so each winner bit is a 4:1 mux on registered selects).
                for (g, (group, gt)) in compared.enumerated() {
                    let name = "s\(stage + 1)_g\(g)", first = g * groupSize * span
                    let upperWins: Value = group.count < 3 ? .false
                        : m.named("\(name)_upper_wins", (gt[2][0] & gt[2][1]) | (gt[3][0] & gt[3][1]))
                    let lowPair = gt[1][0], highPair = gt[3][2]
                    func choose(_ f: (Candidate) -> Value) -> Value {
                        let low = group.count == 1 ? f(group[0]) : mux(lowPair, f(group[1]), f(group[0]))
                        guard group.count > 2 else { return low }
                        let high = group.count == 4 ? mux(highPair, f(group[3]), f(group[2])) : f(group[2])
                        return mux(upperWins, high, low)
                    }
                    next.append(Candidate(valid: register("\(name)_valid", choose(\.valid), lane: first),
                                          key: register("\(name)_key", choose(\.key), lane: first),
                                          lane: register("\(name)_lane", choose(\.lane), lane: first)))
                }
                carry()
                span *= groupSize
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
