import Golden
import HDL

/// A place-and-route harness around the verifier, for timing and area only (`hadesgen --harness`, `make synth`).
///
/// The verifier's buses (L·W logit bits, Γ·TW command bits) do not fit any FPGA package's pins, so:
/// - one serial input pin feeds a shift register as wide as every verifier input together (command, logits,
///   `tvalid`/`tlast`/`tready` bits); the verifier sees only register outputs;
/// - every verifier output goes into a register, then into a two-stage registered XOR reduction to one pin.
/// Nothing is left unobserved, so synthesis keeps the whole verifier, and no harness path is longer than one
/// 8-input XOR: the clock-to-clock Fmax is the verifier's. The harness's own flip-flops (the shift register,
/// the output register and the XOR stages, `SynthHarness.overheadFlipFlops`) are counted by the tools too.
public enum SynthHarness {
    public static func defaultName(_ c: VerifierConfig) -> String {
        GreedyVerifierRTL.defaultName(c).replacingOccurrences(of: "hades_verify", with: "hades_harness")
    }

    /// Bits of the serial-in shift register: the command, the logit bus and five handshake bits.
    public static func chainBits(_ c: VerifierConfig) -> Int {
        let io = VerifierInterface(c)
        return io.commandBits + io.logitBusBits + 5
    }

    /// Bits of all verifier outputs together (what the output register holds).
    public static func observedBits(_ c: VerifierConfig) -> Int {
        let io = VerifierInterface(c)
        return 2 + (1 + io.resultBits) + (1 + c.tokenBits + 1) + VerifierInterface.committedLengthBits
    }

    static let xorGroup = 8

    /// Flip-flops the harness adds around the verifier.
    public static func overheadFlipFlops(_ c: VerifierConfig) -> Int {
        let observed = observedBits(c)
        return chainBits(c) + observed + (observed + xorGroup - 1) / xorGroup + 1
    }

    public static func module(_ c: VerifierConfig, name: String? = nil, verifierName: String? = nil) throws -> Module {
        let verifier = try GreedyVerifierRTL.module(c, name: verifierName)
        let io = VerifierInterface(c)
        let chainWidth = chainBits(c)
        return try Module.build(name ?? defaultName(c), parameters: [
            ("vocab", "\(c.vocab)"), ("gamma_max", "\(c.gammaMax)"), ("lanes", "\(c.lanes)"),
            ("format", c.format.description), ("chain_bits", "\(chainWidth)"),
            ("harness_ffs", "\(overheadFlipFlops(c))"),
        ], doc: ["synthesis harness for \(verifier.name): serial-in shift register -> verifier -> XOR-reduced pin",
                 "for place-and-route timing only; not a functional wrapper"]) { m in
            let serialIn = m.input("serial_in", 1)
            let serialOut = m.output("serial_out", 1)

            let chain = m.reg("chain", chainWidth)
            chain <== concat(chain.bits(chainWidth - 2, 0), serialIn)

            let dut = m.instance(verifier, name: "u_verify")
            var offset = 0
            func take(_ width: Int) -> Value {
                defer { offset += width }
                return chain.bits(offset + width - 1, offset)
            }
            dut["s_axis_cmd_tvalid"] <== take(1)
            dut["s_axis_cmd_tdata"] <== take(io.commandBits).zeroExtended(to: io.commandTDataBits)  // padding: ignored
            dut["s_axis_logits_tvalid"] <== take(1)
            dut["s_axis_logits_tlast"] <== take(1)
            dut["s_axis_logits_tdata"] <== take(io.logitBusBits).zeroExtended(to: io.logitTDataBits)
            dut["m_axis_result_tready"] <== take(1)
            dut["m_axis_tokens_tready"] <== take(1)
            precondition(offset == chainWidth, "harness chain layout does not cover \(chainWidth) bits")

            let outputs = concat([
                dut["s_axis_cmd_tready"], dut["s_axis_logits_tready"],
                dut["m_axis_result_tvalid"], dut["m_axis_result_tdata"].bits(io.resultBits - 1, 0),
                dut["m_axis_tokens_tvalid"], dut["m_axis_tokens_tdata"].bits(c.tokenBits - 1, 0), dut["m_axis_tokens_tlast"],
                dut["committed_len"],
            ])
            let observed = m.regNext("observed", outputs)
            var partial: [Value] = []
            for lo in stride(from: 0, to: observed.width, by: xorGroup) {
                let hi = min(observed.width, lo + xorGroup) - 1
                partial.append(observed.bits(hi, lo).xorReduce)
            }
            let stage = m.regNext("parity_partial", concat(partial))
            let parity = m.regNext("parity", stage.xorReduce)
            serialOut <== parity
        }
    }
}

extension HADESGenerator {
    /// The synthesis harness (`hadesgen --harness`): top `hades_harness_…` holding the verifier.
    public static func harnessVerilog(_ config: VerifierConfig, top: String? = nil) throws -> String {
        VerilogEmitter.emit(try SynthHarness.module(config, name: top),
                            command: command(config, top: top) + " --harness")
    }
}
