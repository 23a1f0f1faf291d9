import HDL

/// A small AXI4-Stream FIFO (registers, not RAM). The producer side is a push (no ready: the user waits on `full`
/// or registers its stall from `full_next`, the fullness after the coming clock edge); the consumer side is a
/// stream. Nothing combinational runs from the consumer's `tready` back to the producer.
enum StreamFIFO {
    struct Ports {
        let push, pushData, full, fullNext: Value
        /// Room for two more entries (count ≤ depth − 2), a register (`withSpare` modules only).
        let spare: Value?
        let output: StreamOut
    }

    static func module(width: Int, depth: Int, withSpare: Bool = false) throws -> Submodule<Ports> {
        precondition(depth >= 2 && depth & (depth - 1) == 0, "FIFO depth must be a power of two")
        return try Module.submodule(moduleName("hades_stream_fifo", ("w", width), ("d", depth)) + (withSpare ? "_spare" : ""),
                                    parameters: [("width", "\(width)"), ("depth", "\(depth)")],
                                    doc: ["stream FIFO of \(depth) entries"]) { m in
            let push = m.input("push", 1)
            let pushData = m.input("push_data", width)
            let full = m.output("full", 1)
            let fullNext = m.output("full_next", 1)
            let output = m.streamOut(StreamPortNames("m_axis"), payload: width)
            let spare = withSpare ? m.output("spare", 1) : nil
            let pointerBits = ceilLog2(depth)
            let head = m.reg("head", pointerBits, reset: 0)
            let tail = m.reg("tail", depth, reset: 1)  // one-hot: a slot's write enable is push & one bit
            let count = m.reg("count", pointerBits + 1, reset: 0)
            let slots = m.regs("slot", count: depth, width)
            let pop = m.named("pop", output.fire)
            full <== count === depth
            let countNext = m.named("count_next", mux(push & !pop, count &+ 1, mux(pop & !push, count &- 1, count)))
            if let spare {  // a register of the coming count, so a user's enable is one LUT after flip-flops
                spare <== m.regNext("spare_reg", countNext <= depth - 2, reset: 1)
            }
            output.valid <== count =/= 0
            output.data <== m.select("head_data", slots, index: head)
            m.when(push) {
                tail <== concat(tail.bits(depth - 2, 0), tail.msb)
                for (i, slot) in slots.enumerated() {
                    m.when(tail[i]) { slot <== pushData }
                }
            }
            m.when(pop) { head <== head &+ 1 }
            fullNext <== countNext === depth
            m.when(push & !pop) {
                count <== count &+ 1
            }.elseWhen(pop & !push) {
                count <== count &- 1
            }
            return Ports(push: push, pushData: pushData, full: full, fullNext: fullNext, spare: spare, output: output)
        }
    }
}
