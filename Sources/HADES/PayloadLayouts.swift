import Golden
import HDL

// Every stream payload of the verifier, written once: the generators slice and pack them in hardware, the
// interfaces pack and unpack them for the testbench, and `StreamLayout` documents and exports them.

/// The six result flags, bit 0 first in `ResultFlags` order (bad_draft lowest).
public enum FlagsLayout {
    /// The chain units' flags (`bad_tree`, bit 6, exists only in the tree unit's result).
    public static let layout = Layout("flags", ResultFlags.named.prefix(ResultFlags.bitCount).map { Layout.Field($0.name, 1) })

    /// The field of one flag.
    public static func field(_ flag: ResultFlags) -> Layout.Field {
        layout.fields[ResultFlags.named.firstIndex { $0.flag == flag }!]
    }
}

/// The command: γ, then Γ draft tokens (token i at GW + i·TW; entries at or past γ are ignored). Sampling adds the
/// Γ+1 uniforms and the one-hot and generator bits (`SamplingInterface`).
public struct CommandLayout {
    public let gamma: Layout.Field
    public let drafts: Layout.Field
    public let layout: Layout

    public init(_ c: VerifierConfig) {
        gamma = Layout.Field("gamma", c.gammaBits)
        drafts = Layout.Field("draft_token", c.tokenBits, count: c.gammaMax)
        layout = Layout("command", [gamma, drafts])
    }

    /// γ and the draft tokens (missing ones 0; each truncated to its field).
    public func pack(gamma g: Int, draftTokens: [Int], into bits: inout PackedBits) {
        bits[gamma] = UInt64(truncatingIfNeeded: g)
        for i in 0..<drafts.count { bits[drafts, i] = UInt64(truncatingIfNeeded: i < draftTokens.count ? draftTokens[i] : 0) }
    }
}

/// The sampling command: the greedy command, then U_0 … U_Γ (32 bits each), the one-hot bit and the generator bit.
public struct SamplingCommandLayout {
    public let base: CommandLayout
    public let uniforms: Layout.Field
    public let oneHot = Layout.Field("one_hot", 1)
    public let generator = Layout.Field("generator", 1)
    public let layout: Layout

    public init(_ c: VerifierConfig) {
        base = CommandLayout(c)
        uniforms = Layout.Field("uniform", 32, count: c.gammaMax + 1)
        layout = base.layout.appending([uniforms, oneHot, generator], name: "sampling_command")
    }
}

/// One beat of logits: lane k at k·W holds token beat·L + k.
public struct LogitsLayout {
    public let logit: Layout.Field
    public let layout: Layout

    public init(_ c: VerifierConfig) {
        logit = Layout.Field("logit", c.format.bits, count: c.lanes)
        layout = Layout("logits", [logit])
    }
}

/// One round's result: the token, n, γ − n, then the six flags.
public struct ResultLayout {
    public let token: Layout.Field
    public let accepted: Layout.Field
    public let rollback: Layout.Field
    public let flags = Layout.Field("flags", FlagsLayout.layout.width)
    public let layout: Layout

    public init(_ c: VerifierConfig) {
        token = Layout.Field("token", c.tokenBits)
        accepted = Layout.Field("accepted", c.gammaBits)
        rollback = Layout.Field("rollback", c.gammaBits)
        layout = Layout("result", [token, accepted, rollback, flags])
    }
}

/// One emitted token; `TokenEntry` adds its `tlast` for the token FIFO.
public struct TokensLayout {
    public let token: Layout.Field
    public let last = Layout.Field("last", 1)
    /// The stream payload.
    public let layout: Layout
    /// A token FIFO entry: the token and its `tlast`.
    public let entry: Layout

    public init(_ c: VerifierConfig) {
        token = Layout.Field("token", c.tokenBits)
        layout = Layout("tokens", [token])
        entry = layout.appending([last], name: "token_entry")
    }
}
