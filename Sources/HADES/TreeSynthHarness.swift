import Golden
import HDL

/// The place-and-route harness of `SynthHarness` (serial-in shift register → unit → registered XOR to one pin)
/// around the tree verifier: every input but the clock and reset is fed from the chain, every output is observed.
public enum TreeSynthHarness {
    public static func defaultName(_ c: TreeConfig) -> String {
        TreeVerifierRTL.defaultName(c).replacingOccurrences(of: "hades_verify", with: "hades_harness")
    }

    public static func module(_ c: TreeConfig, name: String? = nil) throws -> Module {
        try PortSynthHarness.module(try TreeVerifierRTL.module(c), name: name ?? defaultName(c), parameters: [
            ("vocab", "\(c.vocab)"), ("max_nodes", "\(c.maxNodes)"), ("lanes", "\(c.lanes)"),
            ("format", c.format.description),
        ])
    }
}

extension HADESGenerator {
    /// `hadesgen --mode tree --harness`.
    public static func treeHarnessVerilog(_ config: TreeConfig, top: String? = nil) throws -> String {
        VerilogEmitter.emit(try TreeSynthHarness.module(config, name: top), command: treeCommand(config, top: top) + " --harness")
    }
}
