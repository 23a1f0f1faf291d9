import HDL

/// A small AXI4-Stream FIFO (registers, not RAM). `full_next` is the fullness after the coming clock edge, so the
/// user can register its stall; nothing combinational runs from the consumer's `tready` back to the producer.
enum StreamFIFO {
    static func module(width: Int, depth: Int) throws -> Module {
        precondition(depth >= 2 && depth & (depth - 1) == 0, "FIFO depth must be a power of two")
        return try Module.build(moduleName("hades_stream_fifo", ("w", width), ("d", depth)),
                                parameters: [("width", "\(width)"), ("depth", "\(depth)")],
                                doc: ["stream FIFO of \(depth) entries"]) { m in
            let push = m.input("push", 1)
            let pushData = m.input("push_data", width)
            let full = m.output("full", 1)
            // Full after this clock edge: lets the user register its stall signal.
            let fullNext = m.output("full_next", 1)
            let outValid = m.output("m_axis_tvalid", 1)
            let outReady = m.input("m_axis_tready", 1)
            let outData = m.output("m_axis_tdata", width)
            let pointerBits = ceilLog2(depth)
            let head = m.reg("head", pointerBits, reset: 0)
            let tail = m.reg("tail", pointerBits, reset: 0)
            let count = m.reg("count", pointerBits + 1, reset: 0)
            let slots = m.regs("slot", count: depth, width)
            let pop = m.named("pop", outValid & outReady)
            full <== count === depth
            outValid <== count =/= 0
            outData <== m.select("head_data", slots, index: head)
            m.when(push) {
                tail <== tail &+ 1
                for (i, slot) in slots.enumerated() {
                    m.when(tail === i) { slot <== pushData }
                }
            }
            m.when(pop) { head <== head &+ 1 }
            fullNext <== mux(push & !pop, count &+ 1, mux(pop & !push, count &- 1, count)) === depth
            m.when(push & !pop) {
                count <== count &+ 1
            }.elseWhen(pop & !push) {
                count <== count &- 1
            }
        }
    }
}
