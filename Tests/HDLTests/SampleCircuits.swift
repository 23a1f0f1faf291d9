import HDL

/// Small circuits built with the DSL; the tests lint them, synthesize them and simulate them against Swift models.
enum SampleCircuits {
    /// 8-bit counter with enable and synchronous clear.
    static func counter() throws -> Module {
        try Module.build("sample_counter", doc: ["8-bit counter with enable and clear"]) { m in
            let enable = m.input("enable", 1)
            let clear = m.input("clear", 1)
            let count = m.output("count", 8)
            let value = m.reg("value", 8, reset: 0)
            m.when(clear) {
                value <== 0
            }.elseWhen(enable) {
                value <== value &+ 1
            }
            count <== value
        }
    }

    /// A FIFO of `depth` (a power of two) entries of `width` bits, AXI4-Stream on both sides.
    static func fifo(depth: Int = 4, width: Int = 8) throws -> Module {
        try Module.build(moduleName("sample_fifo", ("d", depth), ("w", width)), doc: ["stream FIFO"]) { m in
            let inValid = m.input("s_axis_tvalid", 1)
            let inReady = m.output("s_axis_tready", 1)
            let inData = m.input("s_axis_tdata", width)
            let outValid = m.output("m_axis_tvalid", 1)
            let outReady = m.input("m_axis_tready", 1)
            let outData = m.output("m_axis_tdata", width)
            let pointerBits = ceilLog2(depth)
            let head = m.reg("head", pointerBits, reset: 0)
            let tail = m.reg("tail", pointerBits, reset: 0)
            let count = m.reg("count", pointerBits + 1, reset: 0)
            let slots = m.regs("slot", count: depth, width)
            let push = m.named("push", inValid & inReady)
            let pop = m.named("pop", outValid & outReady)
            inReady <== count =/= depth
            outValid <== count =/= 0
            outData <== m.select("head_data", slots, index: head)
            m.when(push) {
                tail <== tail &+ 1
                for (i, slot) in slots.enumerated() {
                    m.when(tail === i) { slot <== inData }
                }
            }
            m.when(pop) { head <== head &+ 1 }
            m.when(push & !pop) {
                count <== count &+ 1
            }.elseWhen(pop & !push) {
                count <== count &- 1
            }
        }
    }
}

extension SampleCircuits {
    /// A combinational signed max of two (value, index) pairs; ties keep `a` (the lower index in the tree).
    static func max2(width: Int = 8, indexBits: Int = 3) throws -> Module {
        try Module.build(moduleName("sample_max2", ("w", width)), doc: ["signed max of two, ties to a"]) { m in
            let a = m.input("a", width, signed: true)
            let aIndex = m.input("a_idx", indexBits)
            let b = m.input("b", width, signed: true)
            let bIndex = m.input("b_idx", indexBits)
            let maxOut = m.output("max", width, signed: true)
            let indexOut = m.output("max_idx", indexBits)
            let takeB = m.named("take_b", b > a)
            maxOut <== mux(takeB, b, a)
            indexOut <== mux(takeB, bIndex, aIndex)
        }
    }

    /// Registered max-of-8 tree with index (ties to the lowest index) over signed lanes packed in `in_data`
    /// (lane i in bits 8i+7…8i): seven `max2` instances, one register level per tree level (latency 3).
    static let treeLanes = 8
    static let treeLatency = 3
    static func maxTree() throws -> Module {
        let width = 8, lanes = treeLanes, indexBits = 3
        let cell = try max2(width: width, indexBits: indexBits)
        return try Module.build(moduleName("sample_max_tree", ("n", lanes), ("w", width)),
                                parameters: [("lanes", "\(lanes)"), ("width", "\(width)")],
                                doc: ["pipelined signed max-of-8 with index"]) { m in
            let inValid = m.input("in_valid", 1)
            let inData = m.input("in_data", lanes * width)
            let outValid = m.output("out_valid", 1)
            let outMax = m.output("out_max", width, signed: true)
            let outIndex = m.output("out_idx", indexBits)
            var values = (0..<lanes).map { inData[width * $0 + width - 1, width * $0].asSigned }
            var indices = (0..<lanes).map { Value.literal(UInt64($0), width: indexBits) }
            var valid = inValid
            var level = 0
            while values.count > 1 {
                level += 1
                var nextValues: [Value] = [], nextIndices: [Value] = []
                for k in 0..<(values.count / 2) {
                    let u = m.instance(cell, name: "max_l\(level)_\(k)")
                    u["a"] <== values[2 * k]
                    u["a_idx"] <== indices[2 * k]
                    u["b"] <== values[2 * k + 1]
                    u["b_idx"] <== indices[2 * k + 1]
                    nextValues.append(m.regNext("max_l\(level)_\(k)_q", u["max"]))
                    nextIndices.append(m.regNext("idx_l\(level)_\(k)_q", u["max_idx"]))
                }
                values = nextValues
                indices = nextIndices
                valid = m.regNext("valid_l\(level)", valid, reset: 0)
            }
            outValid <== valid
            outMax <== values[0]
            outIndex <== indices[0]
        }
    }

    /// Signed multiply-accumulate with status flags and assorted operators (shifts, reductions, concat, mux,
    /// widening add/sub, signed and unsigned comparisons).
    static func mac() throws -> Module {
        try Module.build("sample_mac", doc: ["signed multiply-accumulate"]) { m in
            let valid = m.input("valid", 1)
            let clear = m.input("clear", 1)
            let a = m.input("a", 8, signed: true)
            let b = m.input("b", 8, signed: true)
            let shamt = m.input("shamt", 3)
            let acc = m.reg("acc", 20, signed: true, reset: 0)
            let product = m.named("product", a * b)
            m.when(clear) {
                acc <== .signedLiteral(0, width: 20)
            }.elseWhen(valid) {
                acc <== acc &+ product.resized(to: 20)
            }
            m.output("acc_out", 20, signed: true) <== acc
            m.output("negative", 1) <== acc < 0
            m.output("parity", 1) <== acc.xorReduce
            m.output("all_ones", 1) <== acc.andReduce
            m.output("nonzero", 1) <== acc.orReduce
            m.output("scaled", 16, signed: true) <== acc.shiftedRight(4)
            m.output("doubled", 21, signed: true) <== acc.shiftedLeft(1)
            m.output("dyn_right", 20, signed: true) <== acc.shiftedRight(by: shamt)
            m.output("dyn_left", 20, signed: true) <== acc.shiftedLeft(by: shamt)
            m.output("rotated", 20) <== concat(acc[7, 0], acc[19, 8])
            m.output("max_ab", 8, signed: true) <== mux(a > b, a, b)
            m.output("sum", 9, signed: true) <== a + b
            m.output("diff", 9, signed: true) <== a - b
            m.output("less_signed", 1) <== a <= b
            m.output("less_unsigned", 1) <== a.asUnsigned < b.asUnsigned
            // `isBelow` (a subtraction's sign), signed and unsigned, at mixed widths: the same bit as `<`.
            m.output("below_signed", 1) <== a.isBelow(b.bits(3, 0).asSigned)
            m.output("below_unsigned", 1) <== a.asUnsigned.bits(5, 0).isBelow(b.asUnsigned)
            m.output("mixed", 8) <== (a.asUnsigned & ~b.asUnsigned) | (a.asUnsigned ^ replicate(shamt[0], 8))
        }
    }

    /// The ROM contents: 20 pseudo-random bytes (addresses 20…31 read 0).
    static let romContents: [UInt64] = {
        var rng = SplitMix64(seed: 0x0DD_C0FFEE)
        return (0..<20).map { _ in rng.next() & 0xFF }
    }()

    /// A combinational ROM look-up (`m.rom`), its registered copy and an in-range flag.
    static func rom() throws -> Module {
        try Module.build("sample_rom", doc: ["20-entry ROM"]) { m in
            let address = m.input("addr", 5)
            let data = m.rom("table", contents: romContents, width: 8, address: address)
            m.output("data", 8) <== data
            m.output("data_q", 8) <== m.regNext("data_r", data)
            m.output("in_range", 1) <== address < romContents.count
        }
    }

    /// A 16 x 8 memory (`m.memory`) with one write port and one synchronous read port.
    static func ram() throws -> Module {
        try Module.build("sample_ram_d16_w8", doc: ["simple dual-port RAM, sync read"]) { m in
            let writeEnable = m.input("we", 1)
            let writeAddress = m.input("waddr", 4)
            let writeData = m.input("wdata", 8)
            let readEnable = m.input("re", 1)
            let readAddress = m.input("raddr", 4)
            let memory = m.memory("mem", depth: 16, width: 8)
            memory.write(address: writeAddress, data: writeData, enable: writeEnable)
            m.output("rdata", 8) <== memory.read(address: readAddress, enable: readEnable)
        }
    }

    /// Sequence detector for 1101 (overlapping) on a valid-qualified bit stream: a `switchOn` over every
    /// state without a default, a Mealy `detected` output and a registered hit counter.
    static func sequenceDetector() throws -> Module {
        try Module.build("sample_seq_detect", doc: ["1101 sequence detector"]) { m in
            let bit = m.input("bit_in", 1)
            let valid = m.input("valid", 1)
            let detected = m.output("detected", 1)
            let stateOut = m.output("state", 2)
            let hitsOut = m.output("hits", 8)
            let state = m.reg("state_r", 2, reset: 0)
            let hits = m.reg("hits_r", 8, reset: 0)
            let next = m.wire("next_state", 2)
            let found = m.wire("found", 1)
            found <== 0
            m.switchOn(state) { s in
                s.is(0) { next <== mux(bit, .literal(1, width: 2), .literal(0, width: 2)) }
                s.is(1) { next <== mux(bit, .literal(2, width: 2), .literal(0, width: 2)) }
                s.is(2) { next <== mux(bit, .literal(2, width: 2), .literal(3, width: 2)) }
                s.is(3) {
                    next <== mux(bit, .literal(1, width: 2), .literal(0, width: 2))
                    found <== bit
                }
            }
            m.when(valid) {
                state <== next
                m.when(found) { hits <== hits &+ 1 }
            }
            detected <== found & valid
            stateOut <== state
            hitsOut <== hits
        }
    }
}

extension SampleCircuits {
    /// `switchOn` without a default: a partial one on a register (unlisted values hold), a partial one on a
    /// wire with a default assigned first, and a full one whose items do not all drive every target.
    static func switchSemantics() throws -> Module {
        try Module.build("sample_switch_semantics", doc: ["case statements without default"]) { m in
            let select = m.input("sel", 2)
            let a = m.input("a", 8)
            let b = m.input("b", 8)
            let held = m.reg("held", 8, reset: 0x33)
            m.switchOn(select) { s in
                s.is(0) { held <== a }
                s.is(1) { held <== b }
            }
            let partial = m.wire("partial", 8)
            partial <== .literal(0x11, width: 8)
            m.switchOn(select) { s in
                s.is(0) { partial <== a }
                s.is(2) { partial <== b }
            }
            let onlyLast = m.wire("only_last", 8)
            let allButLast = m.wire("all_but_last", 8)
            onlyLast <== .literal(0x22, width: 8)
            m.switchOn(select) { s in
                s.is(0, 1) { allButLast <== a }
                s.is(2) { allButLast <== b }
                s.is(3) {
                    allButLast <== a ^ b
                    onlyLast <== b
                }
            }
            m.output("held_out", 8) <== held
            m.output("partial_out", 8) <== partial
            m.output("only_last_out", 8) <== onlyLast
            m.output("all_but_last_out", 8) <== allButLast
        }
    }
}
