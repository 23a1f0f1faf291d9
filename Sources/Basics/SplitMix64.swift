/// SplitMix64 (Steele, Lea, Flood 2014): the one deterministic generator of the project (fuzzing, soak stimulus,
/// test stimulus), so that every failure is reproducible from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0 … n−1 (0 when n ≤ 1); the modulo bias is irrelevant for stimulus.
    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// True with probability `p` (never for p ≤ 0).
    public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }

    /// `n` uniformly random low bits.
    public mutating func bits(_ n: Int) -> UInt64 { n >= 64 ? next() : next() & ((1 << UInt64(n)) - 1) }

    /// The high 32 bits of the next draw.
    public mutating func u32() -> UInt32 { UInt32(truncatingIfNeeded: next() >> 32) }
}
