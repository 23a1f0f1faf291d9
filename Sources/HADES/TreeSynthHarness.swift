import Golden
import HDL

/// The place-and-route harness of `SynthHarness` (serial-in shift register → unit → registered XOR to one pin)
/// around the tree verifier: every input but the clock and reset is fed from the chain, every output is observed.
public enum TreeSynthHarness {
    public static func defaultName(_ c: TreeConfig) -> String {
        TreeVerifierRTL.defaultName(c).replacingOccurrences(of: "hades_verify", with: "hades_harness")
    }

    public static func module(_ c: TreeConfig, name: String? = nil) throws -> Module {
        let unit = try TreeVerifierRTL.module(c)
        let inputs = unit.ports.filter { $0.direction == .input && $0.name != PortInfo.clockName && $0.name != PortInfo.resetName }
        let outputs = unit.ports.filter { $0.direction == .output }
        let chainWidth = inputs.reduce(0) { $0 + $1.width }
        let observedWidth = outputs.reduce(0) { $0 + $1.width }
        let group = SynthHarness.xorGroup
        let overhead = chainWidth + observedWidth + (observedWidth + group - 1) / group + 1
        return try Module.build(name ?? defaultName(c), parameters: [
            ("vocab", "\(c.vocab)"), ("max_nodes", "\(c.maxNodes)"), ("lanes", "\(c.lanes)"),
            ("format", c.format.description), ("chain_bits", "\(chainWidth)"), ("harness_ffs", "\(overhead)"),
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

extension HADESGenerator {
    /// `hadesgen --mode tree --harness`.
    public static func treeHarnessVerilog(_ config: TreeConfig, top: String? = nil) throws -> String {
        VerilogEmitter.emit(try TreeSynthHarness.module(config, name: top), command: treeCommand(config, top: top) + " --harness")
    }
}
