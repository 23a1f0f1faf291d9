import Golden
import HDL

/// Bit layout of the verifier's stream payloads, shared by the RTL, the testbench and the documentation.
///
/// - command `s_axis_cmd_tdata`: `[gammaBits-1:0]` = γ, then draft token i at `[gammaBits + i·tokenBits +: tokenBits]`
///   for i < Γ (entries at or past γ are ignored).
/// - logits `s_axis_logits_tdata`: lane k at `[k·W +: W]` holds token `beat·L + k`; `tlast` on each row's last beat.
/// - result `m_axis_result_tdata`: token `[tokenBits-1:0]`, accepted n, rollback γ−n (gammaBits each), then the
///   six flag bits in `ResultFlags` order (bad_draft is the lowest).
/// - tokens `m_axis_tokens_tdata`: one emitted token per beat, `tlast` on the round's last (n+1-th) token.
///
/// Every TDATA port is byte-aligned (AXI4-Stream): the fields above keep their positions and the port is padded
/// with zeros on top up to a multiple of 8 bits (`…TDataBits`; the `…Bits` properties are the unpadded field
/// widths). The unit drives its output padding to 0 and ignores its input padding.
public struct VerifierInterface: Equatable {
    public let config: VerifierConfig
    public init(_ config: VerifierConfig) { self.config = config }

    public var tokenBits: Int { config.tokenBits }
    public var gammaBits: Int { config.gammaBits }
    public var commandBits: Int { gammaBits + config.gammaMax * tokenBits }
    public var logitBusBits: Int { config.lanes * config.format.bits }
    public var resultBits: Int { tokenBits + 2 * gammaBits + ResultFlags.bitCount }
    public static let committedLengthBits = 32

    /// TDATA widths: the field widths rounded up to whole bytes.
    public var commandTDataBits: Int { Self.byteAligned(commandBits) }
    public var logitTDataBits: Int { Self.byteAligned(logitBusBits) }
    public var resultTDataBits: Int { Self.byteAligned(resultBits) }
    public var tokenTDataBits: Int { Self.byteAligned(tokenBits) }
    public static func byteAligned(_ bits: Int) -> Int { (bits + 7) / 8 * 8 }

    /// Command payload as 32-bit words (least significant first), for the bridge.
    public func packCommand(gamma: Int, draftTokens: [Int]) -> [UInt32] {
        var bits = BitPacker(width: commandBits)
        bits.put(UInt64(gamma), at: 0, width: gammaBits)
        for i in 0..<config.gammaMax {
            let token = i < draftTokens.count ? draftTokens[i] : 0
            bits.put(UInt64(token) & ((1 << UInt64(tokenBits)) - 1), at: gammaBits + i * tokenBits, width: tokenBits)
        }
        return bits.words
    }

    public struct Result: Equatable {
        public var token: Int
        public var accepted: Int
        public var rollback: Int
        public var flags: ResultFlags
    }

    public func unpackResult(_ words: [UInt32]) -> Result {
        let bits = BitPacker(words: words, width: resultBits)
        return Result(token: Int(bits.get(at: 0, width: tokenBits)),
                      accepted: Int(bits.get(at: tokenBits, width: gammaBits)),
                      rollback: Int(bits.get(at: tokenBits + gammaBits, width: gammaBits)),
                      flags: ResultFlags(rawValue: UInt8(bits.get(at: tokenBits + 2 * gammaBits, width: ResultFlags.bitCount))))
    }

    /// One beat of logits: `codes` holds the row's codes for tokens beat·L …; lanes past the row's end are 0.
    public func packBeat(_ codes: UnsafeBufferPointer<UInt32>, beat: Int, into words: inout [UInt32]) {
        let w = config.format.bits
        let lanes = config.lanes
        let wordCount = (logitTDataBits + 31) / 32
        if words.count != wordCount { words = Array(repeating: 0, count: wordCount) } else {
            for i in 0..<wordCount { words[i] = 0 }
        }
        let base = beat * lanes
        for k in 0..<lanes where base + k < codes.count {
            let code = UInt64(codes[base + k]) & ((1 << UInt64(w)) - 1)
            let bit = k * w
            words[bit >> 5] |= UInt32(truncatingIfNeeded: code << UInt64(bit & 31))
            if (bit & 31) + w > 32 { words[(bit >> 5) + 1] |= UInt32(truncatingIfNeeded: code >> UInt64(32 - (bit & 31))) }
        }
    }
}

/// Packs fields into a little-endian array of 32-bit words.
struct BitPacker {
    var words: [UInt32]
    let width: Int

    init(width: Int) {
        self.width = width
        words = Array(repeating: 0, count: (width + 31) / 32)
    }

    init(words: [UInt32], width: Int) {
        self.width = width
        self.words = words + Array(repeating: 0, count: max(0, (width + 31) / 32 - words.count))
    }

    mutating func put(_ value: UInt64, at offset: Int, width: Int) {
        for i in 0..<width where (value >> UInt64(i)) & 1 == 1 {
            let bit = offset + i
            words[bit >> 5] |= 1 << UInt32(bit & 31)
        }
    }

    func get(at offset: Int, width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<width {
            let bit = offset + i
            if (words[bit >> 5] >> UInt32(bit & 31)) & 1 == 1 { v |= 1 << UInt64(i) }
        }
        return v
    }
}
