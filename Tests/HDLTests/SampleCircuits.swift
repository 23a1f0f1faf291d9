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
