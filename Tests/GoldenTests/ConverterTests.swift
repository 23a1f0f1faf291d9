import XCTest
@testable import Golden

final class ConverterTests: XCTestCase {

    private func enc(_ xs: [Float], _ f: LogitFormat) throws -> [UInt32] {
        try LogitConverter.encode(xs, format: f, arrayName: "t")
    }

    func testFixedRoundsHalfToEven() throws {
        let f = LogitFormat.fixed(width: 8, fraction: 1)   // steps of 0.5; x·2 is rounded
        // x:      0.25  0.75  1.25  1.75  -0.25  -0.75  -1.25  -1.75  0.3   0.2  -0.3
        // x·2:    0.5   1.5   2.5   3.5   -0.5   -1.5   -2.5   -3.5   0.6   0.4  -0.6
        // round:  0     2     2     4     0      -2     -2     -4     1     0    -1
        XCTAssertEqual(try enc([0.25, 0.75, 1.25, 1.75, -0.25, -0.75, -1.25, -1.75, 0.3, 0.2, -0.3], f),
                       [0x00, 0x02, 0x02, 0x04, 0x00, 0xFE, 0xFE, 0xFC, 0x01, 0x00, 0xFF])
        XCTAssertEqual(try enc([-0.0, 0.0, 1.0, -1.0, 2.5], f), [0, 0, 0x02, 0xFE, 0x05])

        let g = LogitFormat.fixed(width: 16, fraction: 8)
        // 2^-9 → 0.5 → 0;  3·2^-9 → 1.5 → 2;  5·2^-9 → 2.5 → 2;  -3·2^-9 → -2;  1 → 256; -1 → -256
        XCTAssertEqual(try enc([0x1p-9, 0x3p-9, 0x5p-9, -0x3p-9, 1, -1, 12.34], g),
                       [0x0000, 0x0002, 0x0002, 0xFFFE, 0x0100, 0xFF00, 0x0C57])  // 12.34·256 = 3159.04 → 3159
    }

    func testFixedSaturationAndInfinities() throws {
        let f = LogitFormat.fixed(width: 8, fraction: 1)   // codes -128 … 127 = values -64 … 63.5
        XCTAssertEqual(try enc([63.5, 63.75, 100, .infinity, .greatestFiniteMagnitude], f),
                       [0x7F, 0x7F, 0x7F, 0x7F, 0x7F])
        XCTAssertEqual(try enc([-64, -64.25, -64.5, -1000, -.infinity, -.greatestFiniteMagnitude], f),
                       [0x80, 0x80, 0x80, 0x80, 0x80, 0x80])
        let q = LogitFormat.fixed(width: 8, fraction: 8)   // -0.5 … 0.49609375
        XCTAssertEqual(try enc([0.25, -0.5, 0.5, -0.75], q), [0x40, 0x80, 0x7F, 0x80])
        let w = LogitFormat.fixed(width: 32, fraction: 0)
        XCTAssertEqual(try enc([2.5, -2.5, 3.5, 3e9, -3e9, 2_147_483_648, -2_147_483_648, .infinity, -.infinity], w),
                       [2, 0xFFFF_FFFE, 4, 0x7FFF_FFFF, 0x8000_0000, 0x7FFF_FFFF, 0x8000_0000,
                        0x7FFF_FFFF, 0x8000_0000])
        let z = LogitFormat.fixed(width: 32, fraction: 32)
        XCTAssertEqual(try enc([0.25, -0.5, 1, 0x1p-33, 0x3p-33], z), [0x4000_0000, 0x8000_0000, 0x7FFF_FFFF, 0, 2])
    }

    func testNaNIsRefusedInFixedFormatsWithArrayAndIndex() {
        for f in [LogitFormat.fixed(width: 16, fraction: 8), .fixed(width: 24, fraction: 12), .fixed(width: 8, fraction: 0)] {
            XCTAssertThrowsError(try LogitConverter.encode([1, 2, .nan, 4], format: f, arrayName: "target_logits",
                                                           baseIndex: 1232)) { error in
                XCTAssertEqual("\(error)", "target_logits[1234]: NaN logit cannot be converted to \(f)")
                XCTAssertEqual((error as? GoldenError)?.kind, .conversion)
            }
            XCTAssertNil(LogitConverter.code(for: .nan, format: f))
        }
        XCTAssertEqual(LogitConverter.code(for: 1, format: .fp32), 0x3F80_0000)
    }

    /// Float formats carry raw IEEE bits: a NaN stays a NaN code (the hardware's `nan_logit` path), never an error.
    func testNaNPassesThroughFloatFormatsAsNaNCodes() throws {
        let negativeNaN = Float(bitPattern: 0xFFC0_0001)
        for f in [LogitFormat.fp16, .bf16, .fp32] {
            let codes = try LogitConverter.encode([1, .nan, negativeNaN, -2], format: f, arrayName: "target_logits")
            XCTAssertTrue(LogitConverter.decode(code: codes[1], format: f).isNaN, "\(f): +NaN")
            XCTAssertTrue(LogitConverter.decode(code: codes[2], format: f).isNaN, "\(f): -NaN")
            XCTAssertEqual(LogitConverter.decode(code: codes[0], format: f), 1)
            XCTAssertEqual(LogitConverter.decode(code: codes[3], format: f), -2)
        }
        // IEEE bit patterns of NaNs (sign bit set in the negative one), written out by hand.
        XCTAssertEqual(try LogitConverter.encode([negativeNaN], format: .fp32, arrayName: "x"), [0xFFC0_0001])
        XCTAssertEqual(try LogitConverter.encode([negativeNaN], format: .bf16, arrayName: "x"), [0xFFC0])
        XCTAssertEqual(try LogitConverter.encode([negativeNaN], format: .fp16, arrayName: "x"), [0xFE00])
        // A binary16 NaN read from a float16 trace keeps its bits (quiet NaN with a payload).
        let halfNaN = Float16(bitPattern: 0x7E05)
        XCTAssertEqual(LogitConverter.code(for: Float(halfNaN), format: .fp16), 0x7E05)
        // The golden greedy rule sees it as −inf and flags it.
        let row = try LogitConverter.encode([.nan, 3, 5, .nan], format: .fp16, arrayName: "x")
        let best = GreedyVerifier.argmax(row: row, format: .fp16)
        XCTAssertEqual(best.index, 2)
        XCTAssertTrue(best.nan)
        XCTAssertFalse(best.degenerate)
    }

    func testFP16RoundToNearestEven() throws {
        let cases: [(Float, UInt32)] = [
            (1.0, 0x3C00), (-2.0, 0xC000), (0.0, 0x0000), (-0.0, 0x8000),
            (65504, 0x7BFF), (65519, 0x7BFF), (65520, 0x7C00), (-65520, 0xFC00), (1e6, 0x7C00),
            (.infinity, 0x7C00), (-.infinity, 0xFC00),
            (1 + 0x1p-11, 0x3C00),          // midpoint between 0x3C00 and 0x3C01 → even 0x3C00
            (1 + 0x3p-11, 0x3C02),          // midpoint between 0x3C01 and 0x3C02 → even 0x3C02
            (1 + 0x1p-11 + 0x1p-20, 0x3C01),// just above the midpoint
            (0x1p-24, 0x0001),              // smallest subnormal
            (0x1p-25, 0x0000),              // half of it → tie → 0
            (0x3p-25, 0x0002),              // 1.5 units → 2
            (-0x1p-25, 0x8000),             // → -0
            (0x1p-14, 0x0400),              // smallest normal
            (0x1p-14 - 0x1p-25, 0x0400),    // 1023.5 units → 1024 = smallest normal
            (0x1p-14 - 0x3p-25, 0x03FE),    // 1022.5 units → tie → even 1022
            (0.1, 0x2E66), (-0.1, 0xAE66), (2049, 0x6800), (2051, 0x6802), (3.140625, 0x4248),
            (0x1p-30, 0x0000), (.leastNonzeroMagnitude, 0x0000),
        ]
        for (x, bits) in cases {
            XCTAssertEqual(LogitConverter.code(for: x, format: .fp16), bits, "\(x)")
        }
    }

    #if !(os(macOS) && arch(x86_64))
    /// Cross-check against the toolchain's Float → Float16 conversion (RNE) on random bit patterns.
    func testFP16MatchesFloat16OnRandomValues() {
        var rng = SplitMix(seed: 3)
        for i in 0..<200_000 {
            let bits: UInt32
            if i % 2 == 0 {
                bits = UInt32.random(in: 0...UInt32.max, using: &rng)
            } else {
                // Concentrate on exponents near the fp16 range, where rounding matters.
                let e = UInt32.random(in: 95...145, using: &rng)
                bits = (UInt32.random(in: 0...1, using: &rng) << 31) | (e << 23)
                    | UInt32.random(in: 0...0x7F_FFFF, using: &rng)
            }
            let x = Float(bitPattern: bits)
            if x.isNaN { continue }
            XCTAssertEqual(LogitConverter.code(for: x, format: .fp16), UInt32(Float16(x).bitPattern),
                           "bits \(String(bits, radix: 16))")
        }
        // Every fp16 value converts back to itself exactly, and decode agrees with Float16.
        for c in UInt32(0)...0xFFFF {
            let h = Float16(bitPattern: UInt16(c))
            let d = LogitConverter.decode(code: c, format: .fp16)
            if h.isNaN { XCTAssertTrue(d.isNaN); continue }
            XCTAssertEqual(d, Double(h))
            XCTAssertEqual(LogitConverter.code(for: Float(h), format: .fp16), c)
        }
    }
    #endif

    func testBF16RoundToNearestEven() {
        let cases: [(UInt32, UInt32)] = [
            (0x3F80_0000, 0x3F80),   // 1.0
            (0x3F80_8000, 0x3F80),   // midpoint, lsb 0 → down
            (0x3F81_8000, 0x3F82),   // midpoint, lsb 1 → up
            (0x3F80_8001, 0x3F81),   // above midpoint
            (0x3F80_7FFF, 0x3F80),   // below midpoint
            (0xBF80_8000, 0xBF80),   // negative midpoint, lsb 0
            (0xBF81_8000, 0xBF82),   // negative midpoint, lsb 1
            (0x3DCC_CCCD, 0x3DCD),   // 0.1
            (0x7F7F_FFFF, 0x7F80),   // greatest finite → +inf (RNE)
            (0xFF7F_FFFF, 0xFF80),   // → -inf
            (0x7F7F_7FFF, 0x7F7F),   // stays finite
            (0x7F7F_8000, 0x7F80),   // midpoint to inf, lsb 1 → inf
            (0x7F80_0000, 0x7F80),   // +inf
            (0xFF80_0000, 0xFF80),   // -inf
            (0x8000_0000, 0x8000),   // -0
            (0x0000_8000, 0x0000),   // subnormal midpoint → 0
            (0x0001_8000, 0x0002),
        ]
        for (bits, code) in cases {
            XCTAssertEqual(LogitConverter.code(for: Float(bitPattern: bits), format: .bf16), code,
                           String(bits, radix: 16))
        }
    }

    func testFP32IsRawBits() throws {
        XCTAssertEqual(try enc([1, -0.0, .infinity, -.infinity, Float(bitPattern: 1)], .fp32),
                       [0x3F80_0000, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 1])
    }

    func testDecode() {
        let f = LogitFormat.fixed(width: 16, fraction: 8)
        XCTAssertEqual(LogitConverter.decode(code: 0x0100, format: f), 1)
        XCTAssertEqual(LogitConverter.decode(code: 0xFF00, format: f), -1)
        XCTAssertEqual(LogitConverter.decode(code: 0x8000, format: f), -128)
        XCTAssertEqual(LogitConverter.decode(code: 0x7FFF, format: f), 32767.0 / 256)
        XCTAssertEqual(LogitConverter.decode(code: 0x8000_0000, format: .fixed(width: 32, fraction: 0)), -2_147_483_648)
        XCTAssertEqual(LogitConverter.decode(code: 0x3C00, format: .fp16), 1)
        XCTAssertEqual(LogitConverter.decode(code: 0x0001, format: .fp16), 0x1p-24)
        XCTAssertEqual(LogitConverter.decode(code: 0xFC00, format: .fp16), -.infinity)
        XCTAssertTrue(LogitConverter.decode(code: 0x7E00, format: .fp16).isNaN)
        XCTAssertEqual(LogitConverter.decode(code: 0xBF80, format: .bf16), -1)
        XCTAssertEqual(LogitConverter.decode(code: 0x4049_0FDB, format: .fp32), 13_176_795.0 / 4_194_304)  // (2^23 + 0x490FDB)·2^-22
    }

    /// Fixed encode is within half a step of the value when in range (property check on random values).
    func testFixedRoundTripError() throws {
        var rng = SplitMix(seed: 11)
        for f in [LogitFormat.fixed(width: 16, fraction: 8), .fixed(width: 12, fraction: 4), .fixed(width: 24, fraction: 12)] {
            guard case let .fixed(w, fr) = f else { continue }
            let limit = Double(1 << (w - 1)) / Double(1 << fr)
            for _ in 0..<10_000 {
                let x = Float.random(in: -Float(limit)...Float(limit) * 0.999, using: &rng)
                let c = LogitConverter.code(for: x, format: f)!
                let back = LogitConverter.decode(code: c, format: f)
                XCTAssertLessThanOrEqual(abs(back - Double(x)), 0.5 / Double(1 << fr), "\(f) \(x)")
            }
        }
    }
}
