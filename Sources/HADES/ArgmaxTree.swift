import HDL

/// A pipelined argmax over L lanes: one register level per tree level (ceil(log2 L) levels, none for L = 1).
/// Invalid lanes never win; on equal keys the lower lane wins (so the lowest token index wins ties).
/// A tag travels alongside with the same latency, and every register moves only when `enable` is high.
enum ArgmaxTree {
    static func levels(lanes: Int) -> Int { ceilLog2(lanes) }

    private struct Candidate {
        var valid: Value
        var key: Value
        var lane: Value
    }

    struct Ports {
        let enable, laneValid, laneKeys, tagIn: Value
        let maxValid, maxKey, maxLane, tagOut: Value
    }

    static func module(lanes: Int, keyBits: Int, tagBits: Int) throws -> Submodule<Ports> {
        let laneBits = max(1, ceilLog2(lanes))
        return try Module.submodule(moduleName("hades_argmax_tree", ("l", lanes), ("k", keyBits), ("t", tagBits)),
                                    parameters: [("lanes", "\(lanes)"), ("key_bits", "\(keyBits)"), ("tag_bits", "\(tagBits)")],
                                    doc: ["pipelined argmax, \(levels(lanes: lanes)) register levels, ties to the lowest lane"]) { m in
            let enable = m.input("enable", 1)
            let laneValid = m.input("lane_valid", lanes)
            let laneKeys = m.input("lane_keys", lanes * keyBits)
            let tagIn = m.input("tag_in", tagBits)
            let outValid = m.output("max_valid", 1)
            let outKey = m.output("max_key", keyBits)
            let outLane = m.output("max_lane", laneBits)
            let tagOut = m.output("tag_out", tagBits)

            var level = (0..<lanes).map { k in
                Candidate(valid: laneValid[k], key: laneKeys.bits((k + 1) * keyBits - 1, k * keyBits),
                          lane: .literal(UInt64(k), width: laneBits))
            }
            var tag = tagIn
            var depth = 0
            while level.count > 1 {
                depth += 1
                var next: [Candidate] = []
                for pair in stride(from: 0, to: level.count, by: 2) {
                    var winner = level[pair]
                    if pair + 1 < level.count {
                        let a = level[pair], b = level[pair + 1]
                        // b (the higher lanes) wins only when strictly greater, or when a holds no token.
                        let takeB = b.valid & (!a.valid | (b.key > a.key))
                        winner = Candidate(valid: a.valid | b.valid, key: mux(takeB, b.key, a.key),
                                           lane: mux(takeB, b.lane, a.lane))
                    }
                    let name = "l\(depth)_n\(next.count)"
                    next.append(Candidate(valid: m.regNext("\(name)_valid", winner.valid, enable: enable),
                                          key: m.regNext("\(name)_key", winner.key, enable: enable),
                                          lane: m.regNext("\(name)_lane", winner.lane, enable: enable)))
                }
                level = next
                tag = m.regNext("l\(depth)_tag", tag, reset: 0, enable: enable)  // holds the beat-valid bit
            }
            outValid <== level[0].valid
            outKey <== level[0].key
            outLane <== level[0].lane
            tagOut <== tag
            return Ports(enable: enable, laneValid: laneValid, laneKeys: laneKeys, tagIn: tagIn,
                         maxValid: outValid, maxKey: outKey, maxLane: outLane, tagOut: tagOut)
        }
    }
}
