import Foundation
import Golden

/// Stimulus helpers of the sampling tests on the shared generator.
extension SplitMix64 {
    mutating func normal() -> Double {
        let a = max(unit(), 1e-300), b = unit()
        return (-2 * log(a)).squareRoot() * cos(2 * .pi * b)
    }
    /// A draw from the distribution `p` (sums to 1).
    mutating func sample(_ p: [Double]) -> Int {
        let u = unit()
        var acc = 0.0
        for (k, w) in p.enumerated() {
            acc += w
            if u < acc { return k }
        }
        return p.lastIndex(where: { $0 > 0 }) ?? 0
    }
}

/// Draws from a fixed distribution by binary search on its cumulative sums.
struct Sampler {
    let cdf: [Double]
    init(_ p: [Double]) {
        var acc = 0.0
        cdf = p.map { acc += $0; return acc }
    }
    func draw(_ rng: inout SplitMix64) -> Int {
        let u = rng.unit() * cdf[cdf.count - 1]
        var lo = 0, hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

enum Fixture {
    static let format = LogitFormat.fixed(width: 16, fraction: 8)

    static func config(vocab: Int, lanes: Int = 16, gammaMax: Int = 4,
                       format: LogitFormat = Fixture.format) -> VerifierConfig {
        try! VerifierConfig(vocab: vocab, gammaMax: gammaMax, lanes: lanes, format: format)
    }

    static func codes(_ logits: [Double], _ format: LogitFormat = Fixture.format) -> [UInt32] {
        logits.map { LogitConverter.code(for: Float($0), format: format)! }
    }

    static func values(_ codes: [UInt32], _ format: LogitFormat = Fixture.format) -> [Double] {
        codes.map { LogitConverter.decode(code: $0, format: format) }
    }

    static func randomLogits(_ rng: inout SplitMix64, _ v: Int, scale: Double) -> [Double] {
        (0..<v).map { _ in rng.normal() * scale }
    }
}

/// Chi-square goodness of fit with small bins merged.
enum ChiSquare {
    /// Merges bins (sorted by expected count) until each expected count is ≥ 5; returns (statistic, dof).
    static func statistic(observed: [Int], expected: [Double]) -> (chi2: Double, dof: Int) {
        let order = expected.indices.sorted { expected[$0] < expected[$1] }
        var bins: [(o: Double, e: Double)] = []
        var accO = 0.0, accE = 0.0
        for i in order {
            accO += Double(observed[i]); accE += expected[i]
            if accE >= 5 { bins.append((accO, accE)); accO = 0; accE = 0 }
        }
        if accE > 0 || accO > 0 {
            if bins.isEmpty { bins.append((accO, accE)) } else {
                bins[bins.count - 1].o += accO; bins[bins.count - 1].e += accE
            }
        }
        let chi2 = bins.reduce(0.0) { $0 + ($1.o - $1.e) * ($1.o - $1.e) / max($1.e, 1e-300) }
        return (chi2, max(1, bins.count - 1))
    }

    /// Critical value for p = 1e-4 (Wilson–Hilferty: k·(1 − 2/(9k) + z·√(2/(9k)))³, z = 3.719).
    static func critical(dof k: Int) -> Double {
        let kd = Double(k), z = 3.719
        let c = 1 - 2 / (9 * kd) + z * (2 / (9 * kd)).squareRoot()
        return kd * c * c * c
    }
}
