import Golden
import HDL

/// Elaborates and emits the verifier: what `hadesgen` prints and what the co-simulation builds.
public enum HADESGenerator {
    public static func module(_ config: VerifierConfig, top: String? = nil) throws -> Module {
        try GreedyVerifierRTL.module(config, name: top)
    }

    /// One Verilog-2005 file with the top and its submodules.
    /// The header records the canonical command, so `make rtl` output and the staleness test agree byte for byte.
    public static func verilog(_ config: VerifierConfig, top: String? = nil) throws -> String {
        VerilogEmitter.emit(try module(config, top: top), command: command(config, top: top))
    }

    public static func command(_ c: VerifierConfig, top: String?) -> String {
        "hadesgen --gamma \(c.gammaMax) --vocab \(c.vocab) --lanes \(c.lanes) --format \(c.format)"
            + (top.map { " --top \($0)" } ?? "")
    }

    /// The sampling verifier (fixed-point formats only), as one file.
    public static func samplingVerilog(_ config: VerifierConfig, top: String? = nil) throws -> String {
        VerilogEmitter.emit(try SamplingVerifierRTL.module(config, name: top),
                            command: command(config, top: top) + " --mode sampling")
    }
}
