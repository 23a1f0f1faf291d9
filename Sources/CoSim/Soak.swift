import Foundation
import Golden
import HADES
import Trace

/// What a soak run did.
public struct SoakSummary: CustomStringConvertible {
    public var config: VerifierConfig
    public var seed: UInt64
    public var cycles: UInt64 = 0
    public var rounds = 0
    public var batches = 0
    public var tokens = 0
    public var resets = 0
    /// Batches run with no back-pressure (whose cycle counts were compared with the model too).
    public var idealBatches = 0
    /// Rounds that reported each flag.
    public var flagCounts: [String: Int] = [:]
    public var seconds: Double = 0
    /// The first disagreement (with the batch that showed it), nil for a clean run.
    public var failure: String?

    public var description: String {
        "soak V=\(config.vocab) Γ=\(config.gammaMax) L=\(config.lanes) \(config.format) seed \(seed): \(cycles) cycles, "
            + "\(rounds) rounds, \(tokens) tokens, \(batches) batches (\(idealBatches) cycle-checked), \(resets) resets, "
            + "flags \(flagCounts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")), "
            + String(format: "%.1f s", seconds) + (failure.map { ", FAILED: \($0)" } ?? ", 0 disagreements")
    }
}

/// Seeded random rounds with random back-pressure until a cycle budget is spent; stops at the first disagreement.
public enum Soak {
    public static func run(_ sim: VerifierSimulator, cycles budget: UInt64, seed: UInt64, roundsPerBatch: Int = 150,
                           faults: ScenarioGenerator.Faults = .soak) throws -> SoakSummary {
        var generator = ScenarioGenerator(sim.config, seed: seed, faults: faults)
        var rng = SplitMix64(seed: seed ^ 0x5EED_0F_50A4)
        var summary = SoakSummary(config: sim.config, seed: seed)
        let started = Date()
        let startCycle = sim.model.cycle
        var committed: UInt32 = 0
        var needReset = true
        let gaps = [0.0, 0.05, 0.2, 0.5, 0.8]
        let readies = [1.0, 0.9, 0.6, 0.3, 0.1]
        while sim.model.cycle - startCycle < budget {
            let batch = summary.batches
            let pressure: StreamPressure
            if rng.next() % 4 == 0 {
                pressure = .none
                summary.idealBatches += 1
            } else {
                pressure = StreamPressure(producerGap: gaps[Int(rng.next() % 5)], consumerReady: readies[Int(rng.next() % 5)],
                                          seed: rng.next())
            }
            let scenario = generator.scenario(rounds: 1 + Int(rng.next() % UInt64(roundsPerBatch)))
            if needReset { summary.resets += 1 }
            let report = try ScenarioRunner.run(scenario, on: sim, pressure: pressure, resetFirst: needReset,
                                                committedBefore: committed)
            summary.batches += 1
            summary.rounds += report.expected.count
            summary.tokens += report.expected.reduce(0) { $0 + $1.outcome.emitted.count }
            for e in report.expected { for name in e.outcome.flags.names { summary.flagCounts[name, default: 0] += 1 } }
            if let d = report.disagreement {
                summary.failure = "batch \(batch) (gap \(pressure.producerGap), ready \(pressure.consumerReady)): \(d)"
                break
            }
            committed = report.hardwareCommittedLength
            needReset = rng.next() % 10 == 0
        }
        summary.cycles = sim.model.cycle - startCycle
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}
