import Golden
import HADES

/// One beat on the target-logit stream exactly as a producer drives it: L lane codes (lane k at `[k·W +: W]`)
/// and `tlast`. Lanes beyond `codes.count` are sent as 0.
public struct LogitBeat: Equatable, Sendable {
    public var codes: [UInt32]
    public var last: Bool
    public init(codes: [UInt32], last: Bool) {
        self.codes = codes
        self.last = last
    }
}

/// One command as a producer drives it: γ (may exceed Γ, up to 2^GW − 1) and the Γ draft-token fields
/// (each < 2^TW; entries at or past γ are ignored, missing ones are sent as 0).
public struct StreamCommand: Equatable, Sendable {
    public var gamma: Int
    public var draftTokens: [Int]
    public init(gamma: Int, draftTokens: [Int]) {
        self.gamma = gamma
        self.draftTokens = draftTokens
    }
}

/// Commands and the logit beat stream of a run, with `tlast` wherever the producer put it (possibly wrong).
public struct StreamScenario: Equatable, Sendable {
    public var commands: [StreamCommand]
    public var beats: [LogitBeat]
    public init(commands: [StreamCommand] = [], beats: [LogitBeat] = []) {
        self.commands = commands
        self.beats = beats
    }

    /// Well-formed framing of co-simulation rounds: every row is B beats, `tlast` on the B-th.
    public init(rounds: [CoSimRound], config: VerifierConfig) {
        self.init()
        for r in rounds { append(r, config: config) }
    }

    /// Appends one round with well-formed rows.
    public mutating func append(_ round: CoSimRound, config: VerifierConfig) {
        commands.append(StreamCommand(gamma: round.gamma, draftTokens: round.draftTokens))
        let v = config.vocab
        for row in 0...round.gamma {
            beats += Self.rowBeats(Array(round.codes[row * v..<(row + 1) * v]), config: config)
        }
    }

    /// A row of V codes cut into B beats, `tlast` on the last one.
    public static func rowBeats(_ row: [UInt32], config: VerifierConfig) -> [LogitBeat] {
        let lanes = config.lanes, beats = config.beatsPerRow
        return (0..<beats).map { b in
            LogitBeat(codes: Array(row[(b * lanes)..<min(row.count, (b + 1) * lanes)]), last: b == beats - 1)
        }
    }

    /// The rows as the stream frames them (each row ends at a beat with `tlast`), and the stream position of
    /// each row's first beat. A trailing partial row (no `tlast`) is returned as the last element.
    public var rows: [(start: Int, beats: ArraySlice<LogitBeat>)] {
        var out: [(Int, ArraySlice<LogitBeat>)] = []
        var start = 0
        for (i, b) in beats.enumerated() where b.last {
            out.append((start, beats[start...i]))
            start = i + 1
        }
        if start < beats.count { out.append((start, beats[start...])) }
        return out
    }
}
