import Golden
import HDL

/// Stream payloads of the sampling verifier (full draft rows or one-hot drafts; uniforms in the command).
///
/// - command `s_axis_cmd_tdata` (GW + Γ·TW + (Γ+1)·32 + 2 bits): γ `[GW-1:0]`, draft token i at
///   `[GW + i·TW +: TW]` (i < Γ), then uniform U_i at `[GW + Γ·TW + 32·i +: 32]` for i = 0 … Γ, then two mode
///   bits on top: the one-hot bit at `[GW + Γ·TW + (Γ+1)·32]`: 1 = one-hot drafts (n-gram / prompt-lookup
///   proposers): d_i = δ(x_i), no draft rows are sent for the round; the generator bit at
///   `[GW + Γ·TW + (Γ+1)·32 + 1]`: 1 = the uniforms come from the on-chip generator
///   (`SamplingUniformGenerator`): U_i = H(seed, round, i) with the 64-bit seed in place of the uniforms (low half
///   in U_0's field, high half in U_1's; the other uniform fields are ignored) and round = the number of commands
///   the unit accepted since reset before this one (every command counts, in any mode; 32 bits, wrapping).
/// - target logits `s_axis_logits_*` and draft logits `s_axis_draft_*`: L lanes of W bits, B beats a row, `tlast`
///   on each row's last beat. Per round γ+1 target rows and γ draft rows (none in one-hot mode); draft row i
///   travels in lock step with target row i (a beat is taken when both are valid), target row γ alone.
/// - result and tokens: as `VerifierInterface` (token, n, γ−n, six flags; `tlast` on the n+1-th token).
public struct SamplingInterface: Equatable {
    public let config: VerifierConfig
    public init(_ config: VerifierConfig) { self.config = config }
    public var greedy: VerifierInterface { VerifierInterface(config) }
    public var command: SamplingCommandLayout { SamplingCommandLayout(config) }
    public var uniformOffset: Int { command.layout.offset(of: command.uniforms) }
    /// The one-hot mode bit.
    public var oneHotBit: Int { command.layout.offset(of: command.oneHot) }
    /// The on-chip generator bit (the command's top bit).
    public var generatorBit: Int { command.layout.offset(of: command.generator) }
    public var commandBits: Int { command.layout.width }
    /// `s_axis_cmd_tdata` width: `commandBits` padded with zeros to whole bytes.
    public var commandTDataBits: Int { VerifierInterface.byteAligned(commandBits) }

    /// With `generatorSeed`, the seed replaces the uniforms (low half in U_0's field, high half in U_1's).
    public func packCommand(gamma: Int, draftTokens: [Int], uniforms: [UInt32], oneHot: Bool = false,
                            generatorSeed: UInt64? = nil) -> [UInt32] {
        let uniforms = generatorSeed.map { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] } ?? uniforms
        let layout = command
        var bits = layout.layout.packed()
        layout.base.pack(gamma: gamma, draftTokens: draftTokens, into: &bits)
        for i in 0..<layout.uniforms.count { bits[layout.uniforms, i] = UInt64(i < uniforms.count ? uniforms[i] : 0) }
        bits[layout.oneHot] = oneHot ? 1 : 0
        bits[layout.generator] = generatorSeed == nil ? 0 : 1
        return bits.words
    }
}
