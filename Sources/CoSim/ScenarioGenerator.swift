import Foundation
import Golden
import HADES
import Trace

/// Seeded random stream scenarios for one configuration: random γ and acceptance, many ties, and (with the
/// probabilities in `Faults`) float specials (every NaN bit pattern class, ±inf, −0), degenerate rows, draft
/// tokens ≥ V, γ > Γ and rows framed with the wrong number of beats.
public struct ScenarioGenerator {
    public struct Faults: Sendable {
        /// Per lane: a float special (NaN of a random payload and sign, ±inf, −0) instead of a small value.
        public var special: Double
        /// Per row: every entry −inf or NaN (float formats).
        public var degenerateRow: Double
        /// Per round: one draft token (i < γ) replaced by one ≥ V (when V < 2^TW).
        public var badDraft: Double
        /// Per round: γ in Γ+1 … 2^GW − 1 (when GW leaves room).
        public var badGamma: Double
        /// Per row: framed with 1 … B+2 beats other than B (extra beats hold random codes, NaN included).
        public var rowLength: Double

        public init(special: Double = 0, degenerateRow: Double = 0, badDraft: Double = 0, badGamma: Double = 0,
                    rowLength: Double = 0) {
            self.special = special
            self.degenerateRow = degenerateRow
            self.badDraft = badDraft
            self.badGamma = badGamma
            self.rowLength = rowLength
        }

        public static let none = Faults()
        /// The mix the soak uses: mostly well-formed rounds, every fault class present.
        public static let soak = Faults(special: 0.02, degenerateRow: 0.02, badDraft: 0.03, badGamma: 0.03, rowLength: 0.03)
    }

    public let config: VerifierConfig
    public var faults: Faults
    public var rng: SplitMix64

    public init(_ config: VerifierConfig, seed: UInt64, faults: Faults = .none) {
        self.config = config
        self.faults = faults
        rng = SplitMix64(seed: seed)
    }

    mutating func below(_ n: Int) -> Int { rng.below(n) }
    mutating func chance(_ p: Double) -> Bool { rng.chance(p) }

    var format: LogitFormat { config.format }

    /// A random NaN code of this float format: exponent all ones, random non-zero mantissa, random sign.
    public mutating func nanCode() -> UInt32 {
        guard format.isFloat else { return 0 }
        let mantissaBits = format.mantissaBits
        var mantissa = UInt32(truncatingIfNeeded: rng.next()) & ((1 << UInt32(mantissaBits)) - 1)
        if mantissa == 0 { mantissa = 1 << UInt32(below(mantissaBits)) }
        return format.exponentMask | mantissa | (below(2) == 1 ? format.signBit : 0)
    }

    /// A code: mostly small values that repeat (ties), sometimes the extremes, and specials per `Faults`.
    public mutating func code() -> UInt32 {
        if format.isFloat && chance(faults.special) {
            switch below(5) {
            case 0, 1: return nanCode()
            case 2: return format.positiveInfinityCode
            case 3: return format.negativeInfinityCode
            default: return format.negativeZeroCode
            }
        }
        switch below(20) {
        case 0: return format.positiveInfinityCode  // fixed: the largest code
        case 1: return format.negativeInfinityCode  // fixed: the smallest code
        default: return LogitConverter.code(for: Float(below(40)) / 4 - 5, format: format)!
        }
    }

    public mutating func row() -> [UInt32] {
        if format.isFloat && chance(faults.degenerateRow) {
            return (0..<config.vocab).map { _ in below(3) == 0 ? nanCode() : format.negativeInfinityCode }
        }
        return (0..<config.vocab).map { _ in code() }
    }

    /// One round: a command and its γ+1 rows as beats.
    public mutating func round() -> (StreamCommand, [LogitBeat]) {
        let gammaMax = config.gammaMax, v = config.vocab
        let maxSendable = (1 << config.gammaBits) - 1
        var gamma = below(gammaMax + 1)
        if maxSendable > gammaMax && chance(faults.badGamma) { gamma = gammaMax + 1 + below(maxSendable - gammaMax) }
        let accepted = below(min(gamma, gammaMax) + 1)
        var tokens: [Int] = []
        var beats: [LogitBeat] = []
        for i in 0...gamma {
            let codes = row()
            if i < gammaMax {
                let best = GreedyVerifier.argmax(row: codes, format: format).index
                tokens.append(i < accepted ? best : (best + 1 + below(v - 1)) % v)
            }
            var rowBeats = StreamScenario.rowBeats(codes, config: config)
            if chance(faults.rowLength) {
                var length = 1 + below(config.beatsPerRow + 2)
                if length >= config.beatsPerRow { length += 1 }
                rowBeats = Array(rowBeats.prefix(length))
                for k in rowBeats.indices { rowBeats[k].last = false }
                while rowBeats.count < length {
                    rowBeats.append(LogitBeat(codes: (0..<config.lanes).map { _ in
                        format.isFloat && below(4) == 0 ? nanCode() : format.positiveInfinityCode
                    }, last: false))
                }
                rowBeats[length - 1].last = true
            }
            beats += rowBeats
        }
        while tokens.count < gammaMax { tokens.append(below(v)) }
        if v < 1 << config.tokenBits && min(gamma, gammaMax) > 0 && chance(faults.badDraft) {
            tokens[below(min(gamma, gammaMax))] = v + below((1 << config.tokenBits) - v)
        }
        return (StreamCommand(gamma: gamma, draftTokens: tokens), beats)
    }

    public mutating func scenario(rounds: Int) -> StreamScenario {
        var s = StreamScenario()
        for _ in 0..<rounds {
            let (c, b) = round()
            s.commands.append(c)
            s.beats += b
        }
        return s
    }
}
