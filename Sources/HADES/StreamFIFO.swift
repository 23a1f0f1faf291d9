import HDL

/// A small AXI4-Stream FIFO (registers, not RAM). The producer side is a push (no ready: the user waits on `full`
/// or registers its stall from `full_next`, the fullness after the coming clock edge); the consumer side is a
/// stream. Nothing combinational runs from the consumer's `tready` back to the producer.
/// `registeredPush`: the push and its data are registered inside before they reach the slots, so the producer's
/// push logic ends in one flip-flop instead of fanning out to every slot's enable (the result FIFO's slot enables
/// were the greedy unit's most frequent critical path); entries then appear one clock later. `full` and `full_next`
/// then count the registered push too (the producer's view: entries held or on their way in), and `spare` leaves
/// room for it.
enum StreamFIFO {
    struct Ports {
        let push, pushData, full, fullNext: Value
        /// Room for two more entries besides a registered push (count ≤ depth − 2, − 3 with `registeredPush`), a
        /// register (`withSpare` modules only).
        let spare: Value?
        let output: StreamOut
    }

    static func module(width: Int, depth: Int, withSpare: Bool = false, registeredPush: Bool = false) throws -> Submodule<Ports> {
        precondition(depth >= 2 && depth & (depth - 1) == 0, "FIFO depth must be a power of two")
        precondition(!registeredPush || depth >= 4, "a FIFO with a registered push needs depth ≥ 4")
        let suffix = (withSpare ? "_spare" : "") + (registeredPush ? "_rp" : "")
        return try Module.submodule(moduleName("hades_stream_fifo", ("w", width), ("d", depth)) + suffix,
                                    parameters: [("width", "\(width)"), ("depth", "\(depth)")],
                                    doc: ["stream FIFO of \(depth) entries"]) { m in
            let pushIn = m.input("push", 1)
            let pushDataIn = m.input("push_data", width)
            let push = registeredPush ? m.regNext("push_q", pushIn, reset: 0) : pushIn
            let pushData = registeredPush ? m.regNext("push_data_q", pushDataIn) : pushDataIn
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
            // What the producer sees: with a registered push, the entries held and the one on its way in.
            let held = registeredPush ? m.reg("held", pointerBits + 1, reset: 0) : count
            full <== held === depth
            func next(_ n: Value, push: Value) -> Value { mux(push & !pop, n &+ 1, mux(pop & !push, n &- 1, n)) }
            let countNext = m.named("count_next", next(count, push: push))
            let heldNext = registeredPush ? m.named("held_next", next(held, push: pushIn)) : countNext
            if registeredPush { held <== heldNext }
            if let spare {  // a register of the coming count, so a user's enable is one LUT after flip-flops
                spare <== m.regNext("spare_reg", countNext <= depth - (registeredPush ? 3 : 2), reset: 1)
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
            fullNext <== heldNext === depth
            m.when(push & !pop) {
                count <== count &+ 1
            }.elseWhen(pop & !push) {
                count <== count &- 1
            }
            return Ports(push: pushIn, pushData: pushDataIn, full: full, fullNext: fullNext, spare: spare, output: output)
        }
    }
}
