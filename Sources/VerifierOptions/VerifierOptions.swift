import ArgumentParser
import Golden

/// The verification rule a tool generates or runs.
public enum VerifierMode: String, CaseIterable, ExpressibleByArgument {
    case greedy, sampling, tree
}

extension LogitFormat: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
}

/// The hardware options `hadesgen` and `hades-sim` share: L, the logit format and the mode, checked against
/// `VerifierConfig`'s ranges; each tool picks its own format default (`format(default:)`).
public struct HardwareOptions: ParsableArguments {
    @Option(help: "Logits consumed per clock beat, L (\(VerifierOptions.describe(VerifierConfig.lanesRange))).")
    public var lanes: Int = 16

    @Option(help: "Logit number format: \(LogitFormat.acceptedForms).",
            transform: { try LogitFormat(parsing: $0) })
    public var format: LogitFormat?

    @Option(help: "Verification rule: greedy, sampling (fixed-point formats only) or tree (greedy token trees).")
    public var mode: VerifierMode = .greedy

    public init() {}

    public func validate() throws {
        try VerifierOptions.check("--lanes", lanes, VerifierConfig.lanesRange)
    }

    /// The format given, else `fallback`; sampling refuses a float format.
    public func format(default fallback: LogitFormat) throws -> LogitFormat {
        let chosen = format ?? fallback
        if mode == .sampling, chosen.isFloat {
            throw ValidationError("--mode sampling computes in fixed point: --format must be fixedW.F (e.g. fixed16.8), "
                + "not \(chosen)")
        }
        return chosen
    }
}

public enum VerifierOptions {
    /// Refuses `value` outside `range`, naming the option and the range.
    public static func check(_ option: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) \(value) is out of range: allowed \(describe(range))")
        }
    }

    public static func describe(_ range: ClosedRange<Int>) -> String { "\(range.lowerBound)…\(range.upperBound)" }
}
