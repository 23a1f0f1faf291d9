import HDL

/// The place-and-route harness of `SynthHarness` built from a unit's port list: a serial-in shift register feeds
/// every input but the clock and reset (in port order), every output is registered and XOR-reduced to one pin.
/// The tree and sampling harnesses use it; the greedy harness names its streams itself.
enum PortSynthHarness {
    /// Bits of the shift register and of the output register.
    static func widths(_ unit: Module) -> (chain: Int, observed: Int) {
        let chain = unit.ports.filter { $0.direction == .input && $0.name != PortInfo.clockName && $0.name != PortInfo.resetName }
        let observed = unit.ports.filter { $0.direction == .output }
        return (chain.reduce(0) { $0 + $1.width }, observed.reduce(0) { $0 + $1.width })
    }

    /// Flip-flops the harness adds around `unit`.
    static func overheadFlipFlops(_ unit: Module) -> Int {
        let (chain, observed) = widths(unit)
        let group = SynthHarness.xorGroup
        return chain + observed + (observed + group - 1) / group + 1
    }

    /// `parameters` are the unit's (header only); `chain_bits` and `harness_ffs` are added.
    static func module(_ unit: Module, name: String, parameters: [(String, String)]) throws -> Module {
        let inputs = unit.ports.filter { $0.direction == .input && $0.name != PortInfo.clockName && $0.name != PortInfo.resetName }
        let outputs = unit.ports.filter { $0.direction == .output }
        let (chainWidth, _) = widths(unit)
        let group = SynthHarness.xorGroup
        return try Module.build(name, parameters: parameters + [
            ("chain_bits", "\(chainWidth)"), ("harness_ffs", "\(overheadFlipFlops(unit))"),
        ], doc: ["synthesis harness for \(unit.name): serial-in shift register -> unit -> XOR-reduced pin",
                 "for place-and-route timing only; not a functional wrapper"]) { m in
            let serialIn = m.input("serial_in", 1)
            let serialOut = m.output("serial_out", 1)
            let chain = m.reg("chain", chainWidth)
            chain <== chainWidth == 1 ? serialIn : concat(chain.bits(chainWidth - 2, 0), serialIn)
            let dut = m.instance(unit, name: "u_verify")
            var offset = 0
            for p in inputs {
                dut[p.name] <== chain.bits(offset + p.width - 1, offset)
                offset += p.width
            }
            let observed = m.regNext("observed", concat(outputs.map { dut[$0.name] }))
            var partial: [Value] = []
            for lo in stride(from: 0, to: observed.width, by: group) {
                partial.append(observed.bits(min(observed.width, lo + group) - 1, lo).xorReduce)
            }
            let stage = m.regNext("parity_partial", concat(partial))
            serialOut <== m.regNext("parity", stage.xorReduce)
        }
    }
}
