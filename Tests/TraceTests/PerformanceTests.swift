import Foundation
import Trace
import XCTest

final class PerformanceTests: XCTestCase {
    /// A ~10 MB float16 trace (R=40, G=4, V=25 000, deflated as numpy.savez_compressed does) loads quickly and
    /// its rows decode correctly. The bound is loose (debug build, shared CI machine); release loads take ~0.1 s.
    func testLoadTenMegabyteFloat16Trace() throws {
        let (R, G, V) = (40, 4, 25_000)
        // Logit-like values: |x| < 16, random mantissas (compress about as badly as real logits).
        var state: UInt64 = 99
        let bits = [UInt16](unsafeUninitializedCapacity: R * (G + 1) * V) { out, initialized in
            for i in 0..<out.count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                out[i] = UInt16(truncatingIfNeeded: state >> 49) % 0x4C00 | UInt16(truncatingIfNeeded: state >> 15) & 0x8000
            }
            initialized = out.count
        }
        let target = NpyWriter.encode(float16Bits: bits, shape: [R, G + 1, V])
        let members = Members(list: [
            ("target_logits", target),
            ("draft_tokens", NpyWriter.encode(ints: Array(repeating: 1, count: R * G), shape: [R, G])),
            ("gamma", NpyWriter.encode(ints: Array(repeating: G, count: R), shape: [R])),
        ])
        let archive = try members.archive(compressed: true)
        XCTAssertGreaterThan(target.count, 10_000_000)
        let path = temporaryPath("big.npz")
        try Data(archive).write(to: URL(fileURLWithPath: path))

        let start = Date()
        let trace = try SpeculativeTrace(contentsOf: path)
        let loaded = Date().timeIntervalSince(start)
        var checksum: Float = 0
        for r in 0..<R { for i in 0...G { checksum += trace.targetRow(round: r, row: i)[r] } }
        let decoded = Date().timeIntervalSince(start) - loaded
        print(String(format: "10 MB float16 trace (%.1f MB deflated): load %.3f s, decode all %d rows %.3f s",
                     Double(archive.count) / 1e6, loaded, R * (G + 1), decoded))
        XCTAssertTrue(checksum.isFinite)
        XCTAssertEqual(trace.targetRow(round: 17, row: 3).map(\.bitPattern),
                       bits[((17 * (G + 1) + 3) * V)..<((17 * (G + 1) + 4) * V)].map { float16BitsToFloat($0).bitPattern })
        XCTAssertLessThan(loaded, 5, "loading a 10 MB trace must not take seconds")
    }
}
