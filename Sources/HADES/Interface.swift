import Golden
import HDL

/// The greedy verifier's stream payloads (`CommandLayout`, `LogitsLayout`, `ResultLayout`, `TokensLayout`; the
/// stream names are `VerifierStreams`), packed and unpacked for the testbench with the layouts the RTL uses.
///
/// Every TDATA port is byte-aligned (AXI4-Stream): the fields above keep their positions and the port is padded
/// with zeros on top up to a multiple of 8 bits (`…TDataBits`; the `…Bits` properties are the unpadded field
/// widths). The unit drives its output padding to 0 and ignores its input padding.
public struct VerifierInterface: Equatable {
    public let config: VerifierConfig
    public init(_ config: VerifierConfig) { self.config = config }

    public var command: CommandLayout { CommandLayout(config) }
    public var logits: LogitsLayout { LogitsLayout(config) }
    public var result: ResultLayout { ResultLayout(config) }
    public var tokens: TokensLayout { TokensLayout(config) }

    public var tokenBits: Int { config.tokenBits }
    public var gammaBits: Int { config.gammaBits }
    public var commandBits: Int { command.layout.width }
    public var logitBusBits: Int { logits.layout.width }
    public var resultBits: Int { result.layout.width }
    public static let committedLengthBits = 32

    /// TDATA widths: the field widths rounded up to whole bytes.
    public var commandTDataBits: Int { Self.byteAligned(commandBits) }
    public var logitTDataBits: Int { Self.byteAligned(logitBusBits) }
    public var resultTDataBits: Int { Self.byteAligned(resultBits) }
    public var tokenTDataBits: Int { Self.byteAligned(tokenBits) }
    public static func byteAligned(_ bits: Int) -> Int { (bits + 7) / 8 * 8 }

    /// Command payload as 32-bit words (least significant first), for the bridge.
    public func packCommand(gamma: Int, draftTokens: [Int]) -> [UInt32] {
        let layout = command
        var bits = layout.layout.packed()
        layout.pack(gamma: gamma, draftTokens: draftTokens, into: &bits)
        return bits.words
    }

    public struct Result: Equatable {
        public var token: Int
        public var accepted: Int
        public var rollback: Int
        public var flags: ResultFlags
    }

    public func unpackResult(_ words: [UInt32]) -> Result {
        let r = result, bits = r.layout.unpack(words)
        return Result(token: Int(bits[r.token]), accepted: Int(bits[r.accepted]), rollback: Int(bits[r.rollback]),
                      flags: ResultFlags(rawValue: UInt8(bits[r.flags])))
    }

    /// One beat of logits (`LogitsLayout`, packed here word by word for speed): `codes` holds the row's codes for
    /// tokens beat·L …; lanes past the row's end are 0.
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
