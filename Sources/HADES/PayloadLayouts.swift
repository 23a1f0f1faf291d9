import Golden
import HDL

/// The six result flags as a layout, bit 0 first in `ResultFlags` order (bad_draft lowest).
public enum FlagsLayout {
    public static let layout = Layout("flags", ResultFlags.named.map { Layout.Field($0.name, 1) })

    /// The field of one flag.
    public static func field(_ flag: ResultFlags) -> Layout.Field {
        layout.fields[ResultFlags.named.firstIndex { $0.flag == flag }!]
    }

    public static func pack(_ flags: ResultFlags) -> UInt64 { UInt64(flags.rawValue) }
}

/// The command of a greedy round: γ, then Γ draft tokens (token i at GW + i·TW; entries at or past γ ignored).
public struct CommandLayout {
    public let gamma: Layout.Field
    public let drafts: Layout.Field
    public let layout: Layout

    public init(_ c: VerifierConfig) {
        gamma = Layout.Field("gamma", c.gammaBits)
        drafts = Layout.Field("draft", c.tokenBits, count: c.gammaMax)
        layout = Layout("command", [gamma, drafts])
    }

    /// The payload words for γ and the draft tokens (missing tokens are 0; each is truncated to TW bits).
    public func pack(gamma g: Int, draftTokens: [Int]) -> PackedBits {
        var bits = layout.packed()
        bits[gamma] = UInt64(truncatingIfNeeded: g)
        for i in 0..<drafts.count { bits[drafts, i] = UInt64(truncatingIfNeeded: i < draftTokens.count ? draftTokens[i] : 0) }
        return bits
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

/// An entry of the emitted-token FIFO: the token and its `tlast`.
public struct TokenEntryLayout {
    public let token: Layout.Field
    public let last = Layout.Field("last", 1)
    public let layout: Layout

    public init(_ c: VerifierConfig) {
        token = Layout.Field("token", c.tokenBits)
        layout = Layout("token_entry", [token, last])
    }
}
