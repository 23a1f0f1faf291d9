import Golden
import HADES

/// The first field where the RTL and the golden model disagree.
public struct Disagreement: Error, CustomStringConvertible, Equatable {
    public let round: Int
    public let field: String
    public let expected: String
    public let got: String
    public var description: String { "round \(round): \(field): golden \(expected), RTL \(got)" }
}

public enum CoSimComparison {
    /// Every round (`firstDisagreement`), then the committed length after the last round.
    public static func firstDisagreement(golden: [RoundOutcome], timings: [RoundTiming]?, hardware: [HardwareRound],
                                         committed: UInt32, expectedCommitted: UInt32) -> Disagreement? {
        if let d = firstDisagreement(golden: golden, timings: timings, hardware: hardware) { return d }
        guard committed == expectedCommitted else {
            return Disagreement(round: max(0, golden.count - 1), field: VerifierStreams.committedLength,
                                expected: "\(expectedCommitted)", got: "\(committed)")
        }
        return nil
    }

    /// Compares every output of every round; `timings` (nil under back-pressure) adds the cycle count.
    public static func firstDisagreement(golden: [RoundOutcome], timings: [RoundTiming]?,
                                         hardware: [HardwareRound]) -> Disagreement? {
        for (r, g) in golden.enumerated() {
            guard r < hardware.count else {
                return Disagreement(round: r, field: "result", expected: "present", got: "missing")
            }
            let h = hardware[r]
            let checks: [(String, String, String)] = [
                ("accepted", "\(g.accepted)", "\(h.accepted)"),
                ("token", "\(g.token)", "\(h.token)"),
                ("rollback", "\(g.rollback)", "\(h.rollback)"),
                ("flags", g.flags.description, h.flags.description),
                ("emitted", "\(g.emitted)", "\(h.emitted)"),
            ] + (timings.map { [("cycles", "\($0[r].cycles)", "\(h.cycles)")] } ?? [])
            for (field, e, got) in checks where e != got {
                return Disagreement(round: r, field: field, expected: e, got: got)
            }
        }
        return nil
    }
}
