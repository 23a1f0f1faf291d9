import Foundation
import Golden
import Trace

/// Seeded random tree rounds: random shapes (deep chains and bushy levels), rows whose argmax is often a child's
/// token (sometimes two siblings share it, so the first-child rule decides), and with `faults` the chain
/// generator's float specials, degenerate rows and row-length faults plus malformed parents, tokens ≥ V and
/// N_r > N.
public struct TreeRoundGenerator {
    public struct Faults: Sendable {
        public var chain: ScenarioGenerator.Faults
        /// Per node: a parent ≥ its own index (`bad_tree`).
        public var badParent: Double
        public init(chain: ScenarioGenerator.Faults = .none, badParent: Double = 0) {
            self.chain = chain
            self.badParent = badParent
        }
        public static let none = Faults()
        public static let soak = Faults(chain: .soak, badParent: 0.02)
    }

    public let config: TreeConfig
    public var faults: Faults
    var codes: ScenarioGenerator

    public init(_ config: TreeConfig, seed: UInt64, faults: Faults = .none) {
        self.config = config
        self.faults = faults
        codes = ScenarioGenerator(config.rows, seed: seed, faults: faults.chain)
    }

    mutating func below(_ n: Int) -> Int { codes.below(n) }
    mutating func chance(_ p: Double) -> Bool { codes.chance(p) }

    /// One round with well-formed rows (codes of N_r + 1 rows back to back).
    public mutating func round(nodes fixed: Int? = nil) -> TreeCoSimRound {
        let n = config.maxNodes, v = config.vocab
        let maxSendable = (1 << config.countBits) - 1
        var count = fixed ?? below(n + 1)
        if fixed == nil, maxSendable > n, chance(faults.chain.badGamma) { count = n + 1 + below(maxSendable - n) }
        let present = min(count, n)
        var parents: [Int] = [], tokens: [Int] = []
        for i in 0..<n {
            parents.append(i == 0 || below(2) == 0 ? i - 1 : below(i + 1) - 1)
            tokens.append(below(v))
            if i < present, chance(faults.badParent) { parents[i] = i + below(maxSendable - i) }  // p+1 ≤ 2^CW − 1
        }
        var all: [UInt32] = []
        for j in 0...count {
            let row = codes.row()
            all += row
            let a = GreedyVerifier.argmax(row: row, format: config.format).index
            let children = (0..<present).filter { parents[$0] == j - 1 }
            guard !children.isEmpty, below(10) < 7 else { continue }
            let pick = children[below(children.count)]
            tokens[pick] = a
            if children.count > 1, below(3) == 0 { tokens[children[below(children.count)]] = a }
        }
        if v < 1 << config.tokenBits, present > 0, chance(faults.chain.badDraft) {
            tokens[below(present)] = v + below((1 << config.tokenBits) - v)
        }
        return TreeCoSimRound(round: TreeRound(nodes: count, tokens: tokens, parents: parents), codes: all)
    }

    /// Rounds framed as beats; with `faults.chain.rowLength` some rows end early or late.
    public mutating func scenario(rounds: Int) -> TreeScenario {
        var s = TreeScenario()
        let b = config.beatsPerRow, v = config.vocab
        for _ in 0..<rounds {
            let r = round()
            s.commands.append(r.round)
            for j in 0...r.round.nodes {
                var beats = StreamScenario.rowBeats(Array(r.codes[j * v..<(j + 1) * v]), config: config.rows)
                if chance(faults.chain.rowLength) {
                    var length = 1 + below(b + 2)
                    if length >= b { length += 1 }
                    beats = Array(beats.prefix(length))
                    for k in beats.indices { beats[k].last = false }
                    while beats.count < length {
                        beats.append(LogitBeat(codes: (0..<config.lanes).map { _ in codes.code() }, last: false))
                    }
                    beats[length - 1].last = true
                }
                s.beats += beats
            }
        }
        return s
    }
}

/// The chain soak (`Soak`) for the tree unit: random batches under random back-pressure, cycle-checked when
/// there is none, occasional resets; stops at the first disagreement.
public enum TreeSoak {
    public static func run(_ sim: TreeSimulator, cycles budget: UInt64, seed: UInt64, roundsPerBatch: Int = 60,
                           faults: TreeRoundGenerator.Faults = .soak) throws -> (rounds: Int, flags: [String: Int], failure: String?) {
        var generator = TreeRoundGenerator(sim.config, seed: seed, faults: faults)
        var rng = SplitMix64(seed: seed ^ 0x7EE5)
        let start = sim.model.cycle
        var committed: UInt32 = 0
        var reset = true
        var rounds = 0
        var flags: [String: Int] = [:]
        let gaps = [0.0, 0.2, 0.5], readies = [1.0, 0.6, 0.2]
        while sim.model.cycle - start < budget {
            let pressure = rng.next() % 3 == 0 ? StreamPressure.none
                : StreamPressure(producerGap: gaps[Int(rng.next() % 3)], consumerReady: readies[Int(rng.next() % 3)], seed: rng.next())
            let scenario = generator.scenario(rounds: 1 + Int(rng.next() % UInt64(roundsPerBatch)))
            let report = try TreeCoSimulation.run(scenario, on: sim, pressure: pressure, resetFirst: reset,
                                                  committedBefore: committed)
            rounds += scenario.commands.count
            for e in report.expected { for f in e.outcome.round.flags.names { flags[f, default: 0] += 1 } }
            if let d = report.disagreement {
                return (rounds, flags, "gap \(pressure.producerGap), ready \(pressure.consumerReady): \(d)")
            }
            committed = report.hardwareCommittedLength
            reset = rng.next() % 8 == 0
        }
        return (rounds, flags, nil)
    }
}
