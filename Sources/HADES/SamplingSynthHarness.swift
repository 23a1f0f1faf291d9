import Golden
import HDL

/// The place-and-route harness of `SynthHarness` around the sampling verifier (`hadesgen --mode sampling
/// --harness`): the command, target and draft streams and every `tready` come from the serial-in chain, every
/// output (results, tokens, committed length, input `tready`s) is registered and XOR-reduced to one pin.
public enum SamplingSynthHarness {
    public static func defaultName(_ c: VerifierConfig) -> String {
        SamplingVerifierRTL.defaultName(c).replacingOccurrences(of: "hades_verify", with: "hades_harness")
    }

    /// Flip-flops the harness adds around the unit.
    public static func overheadFlipFlops(_ c: VerifierConfig) throws -> Int {
        PortSynthHarness.overheadFlipFlops(try SamplingVerifierRTL.module(c))
    }

    public static func module(_ c: VerifierConfig, name: String? = nil) throws -> Module {
        try PortSynthHarness.module(try SamplingVerifierRTL.module(c), name: name ?? defaultName(c), parameters: [
            ("vocab", "\(c.vocab)"), ("gamma_max", "\(c.gammaMax)"), ("lanes", "\(c.lanes)"),
            ("format", c.format.description),
        ])
    }
}

extension HADESGenerator {
    /// `hadesgen --mode sampling --harness`.
    public static func samplingHarnessVerilog(_ config: VerifierConfig, top: String? = nil) throws -> String {
        VerilogEmitter.emit(try SamplingSynthHarness.module(config, name: top),
                            command: command(config, top: top) + " --mode sampling --harness")
    }
}
