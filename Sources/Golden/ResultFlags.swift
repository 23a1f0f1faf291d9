/// Error flags of one round's result (the `flags` field of the result stream and of the JSON output).
public struct ResultFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// bit 0: a draft token at a position < min(γ, Γ) is ≥ V.
    public static let badDraft = ResultFlags(rawValue: 1 << 0)
    /// bit 1: γ > Γ.
    public static let badGamma = ResultFlags(rawValue: 1 << 1)
    /// bit 2: an inspected float row held a NaN (treated as −inf).
    public static let nanLogit = ResultFlags(rawValue: 1 << 2)
    /// bit 3: an inspected float row had no maximum above −inf (every entry −inf or NaN); it picked 0.
    public static let degenerateRow = ResultFlags(rawValue: 1 << 3)
    /// bit 4: a logit row's length disagreed with V (tlast misplaced); raised by the hardware's stream checks.
    public static let rowLength = ResultFlags(rawValue: 1 << 4)
    /// bit 5: sampling residual summed to zero.
    public static let residualZero = ResultFlags(rawValue: 1 << 5)
    /// bit 6 (tree mode only): a node's parent is ≥ its own index; that node is never accepted.
    public static let badTree = ResultFlags(rawValue: 1 << 6)

    /// All flags with their JSON names, in bit order.
    public static let named: [(flag: ResultFlags, name: String)] = [
        (.badDraft, "bad_draft"), (.badGamma, "bad_gamma"), (.nanLogit, "nan_logit"),
        (.degenerateRow, "degenerate_row"), (.rowLength, "row_length"), (.residualZero, "residual_zero"),
        (.badTree, "bad_tree"),
    ]

    /// Width of the chain verifiers' flags field (bits 0…5).
    public static let bitCount = 6
    /// Width of the tree verifier's flags field (adds `bad_tree`).
    public static let treeBitCount = 7

    /// snake_case names of the set flags, in bit order (for JSON).
    public var names: [String] { Self.named.filter { contains($0.flag) }.map(\.name) }

    /// Builds flags from snake_case names; nil if a name is unknown.
    public init?(names: [String]) {
        var f: ResultFlags = []
        for n in names {
            guard let e = Self.named.first(where: { $0.name == n }) else { return nil }
            f.insert(e.flag)
        }
        self = f
    }

    public var description: String { "[" + names.joined(separator: ",") + "]" }
}
