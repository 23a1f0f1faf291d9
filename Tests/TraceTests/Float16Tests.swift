import TestSupport
import Trace
import XCTest

final class Float16Tests: XCTestCase {
    func testSpecialValues() {
        XCTAssertEqual(float16BitsToFloat(0x0000).bitPattern, 0x0000_0000)          // +0
        XCTAssertEqual(float16BitsToFloat(0x8000).bitPattern, 0x8000_0000)          // -0 keeps its sign
        XCTAssertEqual(float16BitsToFloat(0x0001), 0x1p-24)                         // smallest subnormal
        XCTAssertEqual(float16BitsToFloat(0x03FF), 1023 * 0x1p-24)                  // largest subnormal
        XCTAssertEqual(float16BitsToFloat(0x8001), -0x1p-24)
        XCTAssertEqual(float16BitsToFloat(0x0400), 0x1p-14)                         // smallest normal
        XCTAssertEqual(float16BitsToFloat(0x3C00), 1)
        XCTAssertEqual(float16BitsToFloat(0x3C01), 1 + 0x1p-10)
        XCTAssertEqual(float16BitsToFloat(0x7BFF), 65504)                           // largest finite
        XCTAssertEqual(float16BitsToFloat(0xC000), -2)
        XCTAssertEqual(float16BitsToFloat(0x7C00), .infinity)
        XCTAssertEqual(float16BitsToFloat(0xFC00), -.infinity)
        // NaNs keep sign and payload: quiet stays quiet, signalling keeps its pattern.
        XCTAssertEqual(float16BitsToFloat(0x7E00).bitPattern, 0x7FC0_0000)
        XCTAssertEqual(float16BitsToFloat(0xFE00).bitPattern, 0xFFC0_0000)
        XCTAssertEqual(float16BitsToFloat(0x7D01).bitPattern, 0x7FA0_2000)
        XCTAssertEqual(float16BitsToFloat(0x7C01).bitPattern, 0x7F80_2000)
        XCTAssertEqual(float16BitsToFloat(0x7FFF).bitPattern, 0x7FFF_E000)
    }

    func testAllPatternsRoundTripThroughTheEncoder() {
        for bits in 0...0xFFFF {
            let h = UInt16(bits)
            let f = float16BitsToFloat(h)
            if f.isNaN {
                XCTAssertEqual(floatToFloat16Bits(f) & 0x7E00, 0x7E00, "NaN \(bits) must encode as a NaN")
                XCTAssertEqual(floatToFloat16Bits(f) & 0x8000, h & 0x8000)
            } else {
                XCTAssertEqual(floatToFloat16Bits(f), h, "pattern 0x\(String(bits, radix: 16))")
            }
        }
    }

    func testEncoderRounding() {
        XCTAssertEqual(floatToFloat16Bits(1 + 0x1p-11), 0x3C00)        // tie → even (down)
        XCTAssertEqual(floatToFloat16Bits(1 + 3 * 0x1p-11), 0x3C02)    // tie → even (up)
        XCTAssertEqual(floatToFloat16Bits(65520), 0x7C00)              // rounds up to inf
        XCTAssertEqual(floatToFloat16Bits(65519.99), 0x7BFF)
        XCTAssertEqual(floatToFloat16Bits(0x1p-25), 0x0000)            // tie between 0 and 2^-24 → 0
        XCTAssertEqual(floatToFloat16Bits(0x1.8p-25), 0x0001)
        XCTAssertEqual(floatToFloat16Bits(-0x1p-30), 0x8000)
        XCTAssertEqual(floatToFloat16Bits(Float(bitPattern: 1)), 0x0000)  // binary32 subnormal
    }

    #if !(os(macOS) && arch(x86_64))
    /// Cross-check against the platform's Float16 for every pattern and for many random binary32 values.
    func testAgreesWithSwiftFloat16() {
        for bits in 0...0xFFFF {
            let h = UInt16(bits)
            let mine = float16BitsToFloat(h)
            let swift = Float(Float16(bitPattern: h))
            if swift.isNaN {
                XCTAssertTrue(mine.isNaN)
            } else {
                XCTAssertEqual(mine.bitPattern, swift.bitPattern, "pattern 0x\(String(bits, radix: 16))")
            }
        }
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200_000 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard !x.isNaN else { continue }
            XCTAssertEqual(floatToFloat16Bits(x), Float16(x).bitPattern, "\(x)")
        }
    }
    #endif
}
