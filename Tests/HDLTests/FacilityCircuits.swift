import HDL

/// Circuits written with the typed facilities (streams, layouts, enable scopes, shift registers, state machines,
/// typed submodules), simulated against Swift models in `FacilityTests`.
enum FacilityCircuits {
    /// Payload of `registerSlice`: a 3-bit kind, two 5-bit values (an array field) and a flag.
    static let kind = Layout.Field("kind", 3)
    static let values = Layout.Field("values", 5, count: 2)
    static let flag = Layout.Field("flag", 1)
    static let payload = Layout("payload", [kind, values, flag])

    /// A one-entry stream register slice that swaps the two values and inverts the flag on the way.
    static func registerSlice() throws -> Module {
        try Module.build("sample_slice") { m in
            let input = m.streamIn(StreamPortNames("s_axis_in", last: true), payload: payload.width)
            let output = m.streamOut(StreamPortNames("m_axis_out", last: true), payload: payload.width)
            let incoming = m.view(input.data, as: payload, name: "in")
            let full = m.reg("full", 1, reset: 0)
            let held = m.reg("held", layout: payload, enable: input.fire)
            let heldLast = m.regNext("held_last", input.last!, enable: input.fire)
            input.ready <== !full | output.ready
            held.bits <== m.pack(payload, [kind: incoming[kind], values: concat(incoming[values, 0], incoming[values, 1]),
                                           flag: !incoming[flag]])
            m.when(input.fire) { full <== 1 }.elseWhen(output.fire) { full <== 0 }
            output.valid <== full
            output.data <== held.bits
            output.last! <== heldLast
        }
    }

    /// `x` delayed by three clocks through a shift register inside an enable scope (moves while `advance`).
    static func enabledDelay() throws -> Module {
        try Module.build("sample_enabled_delay") { m in
            let advance = m.input("advance", 1)
            let x = m.input("x", 8)
            let taps = m.enabled(by: advance) { m.shiftRegister("tap", x, stages: 3, reset: 0) }
            m.output("y", 8) <== taps[2]
            m.output("y1", 8) <== taps[0]
        }
    }

    enum Phase: CaseIterable, Equatable { case idle, count, done }

    /// A state machine: `start` moves idle → count; after `length` clocks counting it reports done for a clock.
    static func countdown(length: Int = 5) throws -> Module {
        try Module.build("sample_countdown") { m in
            let start = m.input("start", 1)
            let fsm = m.stateMachine("phase", Phase.self, initial: .idle)
            let left = m.reg("left", 4, reset: 0)
            fsm.on { phase in
                switch phase {
                case .idle: m.when(start) { left <== length - 1; fsm.go(.count) }
                case .count: m.when(left === 0) { fsm.go(.done) }.otherwise { left <== left &- 1 }
                case .done: fsm.go(.idle)
                }
            }
            m.output("busy", 1) <== fsm.is(.count)
            m.output("done", 1) <== fsm.is(.done)
        }
    }

    struct AdderPorts {
        let a, b, sum: Value
        let input: StreamIn
        let output: StreamOut
    }

    /// A child with plain ports and a pass-through stream, for typed instance ports.
    static func adder() throws -> Submodule<AdderPorts> {
        try Module.submodule("sample_adder") { m in
            let a = m.input("a", 8), b = m.input("b", 8), sum = m.output("sum", 9)
            sum <== a + b
            let input = m.streamIn(StreamPortNames("s_in"), payload: 8), output = m.streamOut(StreamPortNames("m_out"), payload: 8)
            output.valid <== input.valid
            output.data <== input.data
            input.ready <== output.ready
            return AdderPorts(a: a, b: b, sum: sum, input: input, output: output)
        }
    }

    /// Two adders chained through typed ports; the stream passes through both.
    static func adderChain() throws -> Module {
        let child = try adder()
        return try Module.build("sample_adder_chain") { m in
            let x = m.input("x", 8), y = m.input("y", 8), z = m.input("z", 8)
            let first = m.instance(child, name: "u_first"), second = m.instance(child, name: "u_second")
            first.a <== x
            first.b <== y
            second.a <== first.sum.bits(7, 0)
            second.b <== z
            m.output("total", 9) <== second.sum
            let input = m.streamIn(StreamPortNames("s_axis"), payload: 8), output = m.streamOut(StreamPortNames("m_axis"), payload: 8)
            let firstIn = first.input, secondIn = second.input
            firstIn.valid <== input.valid
            firstIn.data <== input.data
            input.ready <== firstIn.ready
            let firstOut = first.output
            secondIn.valid <== firstOut.valid
            secondIn.data <== firstOut.data
            firstOut.ready <== secondIn.ready
            output.drive(from: second.output)
        }
    }
}
