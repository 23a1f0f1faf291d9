import CoSim
import Foundation
import Golden
import TestSupport
import Trace
import XCTest

/// Shared state and helpers of the reliability tests.
enum Reliability {
    /// Simulators built once per configuration for the whole test run (the Verilator build is cached on disk too).
    nonisolated(unsafe) static var simulators: [VerifierConfig: VerifierSimulator] = [:]
    static let lock = NSLock()

    static func simulator(_ c: VerifierConfig) throws -> VerifierSimulator {
        lock.lock()
        defer { lock.unlock() }
        if let s = simulators[c] { return s }
        let s = try VerifierSimulator(config: c)
        simulators[c] = s
        return s
    }

    static func config(_ vocab: Int, _ gammaMax: Int, _ lanes: Int, _ format: LogitFormat) -> VerifierConfig {
        try! VerifierConfig(vocab: vocab, gammaMax: gammaMax, lanes: lanes, format: format)
    }

    /// V = 10 over L = 4 lanes: beats of 4, 4 and a partial 2 (lanes 2, 3 of the last beat carry no token);
    /// Γ = 4 needs 3 command bits (γ = 5…7 are sendable), tokens are 4 bits (10…15 are sendable and ≥ V).
    static let fixed = config(10, 4, 4, .fixed(width: 16, fraction: 8))
    static let half = config(10, 4, 4, .fp16)
    /// One lane, V = 2 (bf16) and 64 lanes, V = 50 (fp32): the other float formats, also used by the co-sim tests.
    static let brain = config(2, 1, 1, .bf16)
    static let single = config(50, 32, 64, .fp32)

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hades-rel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A small float16 greedy trace: R rounds, G, V; row maxima placed so draft tokens are accepted in part.
    static func traceMembers(rounds: Int = 4, gammaMax: Int = 4, vocab: Int = 10, draftTokens: [Int]? = nil,
                             gammas: [Int]? = nil) -> [(name: String, npy: [UInt8])] {
        var rng = SplitMix64(seed: 77)
        var target: [Float] = []
        var argmax: [Int] = []
        for _ in 0..<rounds {
            for _ in 0...gammaMax {
                let row = (0..<vocab).map { _ in Float(rng.next() % 1000) / 100 - 5 }
                target += row
                argmax.append(row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!)
            }
        }
        var drafts: [Int] = []
        for r in 0..<rounds { for i in 0..<gammaMax { drafts.append(i < 2 ? argmax[r * (gammaMax + 1) + i] : 0) } }
        let g = gammas ?? (0..<rounds).map { $0 % (gammaMax + 1) }
        return [
            ("target_logits", NpyWriter.encode(floats: target, shape: [rounds, gammaMax + 1, vocab], as: .float16)),
            ("draft_tokens", NpyWriter.encode(ints: draftTokens ?? drafts, shape: [rounds, gammaMax], as: .int64)),
            ("gamma", NpyWriter.encode(ints: g, shape: [rounds], as: .int64)),
        ]
    }
}

/// Equality of what matters in a hardware round when cycles legitimately differ (back-pressure).
func sameDecisions(_ a: [HardwareRound], _ b: [HardwareRound]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy {
        $0.accepted == $1.accepted && $0.token == $1.token && $0.rollback == $1.rollback && $0.flags == $1.flags
            && $0.emitted == $1.emitted
    }
}

/// The hardware rounds decided exactly what the golden outcomes say.
func sameDecisions(_ a: [HardwareRound], _ golden: [RoundOutcome]) -> Bool {
    a.count == golden.count && zip(a, golden).allSatisfy {
        $0.accepted == $1.accepted && $0.token == $1.token && $0.rollback == $1.rollback && $0.flags == $1.flags
            && $0.emitted == $1.emitted
    }
}
