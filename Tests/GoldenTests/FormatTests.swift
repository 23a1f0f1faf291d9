import XCTest
@testable import Golden

final class FormatTests: XCTestCase {

    func testParsingAcceptedForms() throws {
        XCTAssertEqual(try LogitFormat(parsing: "fixed16.8"), .fixed(width: 16, fraction: 8))
        XCTAssertEqual(try LogitFormat(parsing: "fixed8.0"), .fixed(width: 8, fraction: 0))
        XCTAssertEqual(try LogitFormat(parsing: "fixed8.8"), .fixed(width: 8, fraction: 8))
        XCTAssertEqual(try LogitFormat(parsing: "fixed32.32"), .fixed(width: 32, fraction: 32))
        XCTAssertEqual(try LogitFormat(parsing: "fp16"), .fp16)
        XCTAssertEqual(try LogitFormat(parsing: "bf16"), .bf16)
        XCTAssertEqual(try LogitFormat(parsing: "fp32"), .fp32)
        XCTAssertEqual(try LogitFormat(parsing: " FP16 "), .fp16)
    }

    func testDescriptionTagAndBits() throws {
        let cases: [(LogitFormat, String, String, Int)] = [
            (.fixed(width: 16, fraction: 8), "fixed16.8", "fx16p8", 16),
            (.fixed(width: 32, fraction: 0), "fixed32.0", "fx32p0", 32),
            (.fixed(width: 12, fraction: 3), "fixed12.3", "fx12p3", 12),
            (.fp16, "fp16", "fp16", 16), (.bf16, "bf16", "bf16", 16), (.fp32, "fp32", "fp32", 32),
        ]
        for (f, text, tag, bits) in cases {
            XCTAssertEqual(f.description, text)
            XCTAssertEqual(f.moduleTag, tag)
            XCTAssertEqual(f.bits, bits)
            XCTAssertEqual(try LogitFormat(parsing: text), f, "round trip of \(text)")
        }
    }

    func testParsingErrorsNameTheText() {
        let bad: [(String, String)] = [
            ("fixed40.8", "fixed width must be 8…32"),
            ("fixed7.0", "fixed width must be 8…32"),
            ("fixed16.17", "0…16"),
            ("fixed16", "fixedW.F"),
            ("fixed.8", "fixedW.F"),
            ("fixed16.-1", "fixedW.F"),
            ("fixed99999999999999999999999.8", "fixed width must be 8…32"),
            ("float", "unknown format"),
            ("", "unknown format"),
            ("fp8", "unknown format"),
        ]
        for (text, why) in bad {
            XCTAssertThrowsError(try LogitFormat(parsing: text), text) { error in
                let msg = "\(error)"
                XCTAssertTrue(msg.contains("'\(text)'"), "message should quote the text: \(msg)")
                XCTAssertTrue(msg.contains(why), "message should say \(why): \(msg)")
                XCTAssertTrue(msg.contains("fixedW.F, fp16, bf16, fp32"), "message should list forms: \(msg)")
                XCTAssertEqual((error as? GoldenError)?.kind, .format)
                XCTAssertEqual(error.localizedDescription, msg)
            }
        }
        XCTAssertThrowsError(try LogitFormat(parsing: "fixed40.8")) { error in
            XCTAssertEqual("\(error)",
                           "invalid format 'fixed40.8': fixed width must be 8…32 (forms: fixedW.F, fp16, bf16, fp32)")
        }
    }

    func testSpecialCodes() {
        let f16 = LogitFormat.fixed(width: 16, fraction: 8)
        XCTAssertEqual(f16.negativeInfinityCode, 0x8000)
        XCTAssertEqual(f16.positiveInfinityCode, 0x7FFF)
        XCTAssertNil(f16.quietNaNCode)
        XCTAssertEqual(f16.negativeZeroCode, 0)
        let f32 = LogitFormat.fixed(width: 32, fraction: 0)
        XCTAssertEqual(f32.negativeInfinityCode, 0x8000_0000)
        XCTAssertEqual(f32.positiveInfinityCode, 0x7FFF_FFFF)
        XCTAssertEqual(f32.mask, 0xFFFF_FFFF)

        XCTAssertEqual(LogitFormat.fp16.negativeInfinityCode, 0xFC00)
        XCTAssertEqual(LogitFormat.fp16.positiveInfinityCode, 0x7C00)
        XCTAssertEqual(LogitFormat.fp16.quietNaNCode, 0x7E00)
        XCTAssertEqual(LogitFormat.fp16.negativeZeroCode, 0x8000)
        XCTAssertEqual(LogitFormat.bf16.negativeInfinityCode, 0xFF80)
        XCTAssertEqual(LogitFormat.bf16.positiveInfinityCode, 0x7F80)
        XCTAssertEqual(LogitFormat.bf16.quietNaNCode, 0x7FC0)
        XCTAssertEqual(LogitFormat.bf16.negativeZeroCode, 0x8000)
        XCTAssertEqual(LogitFormat.fp32.negativeInfinityCode, 0xFF80_0000)
        XCTAssertEqual(LogitFormat.fp32.positiveInfinityCode, 0x7F80_0000)
        XCTAssertEqual(LogitFormat.fp32.quietNaNCode, 0x7FC0_0000)
        XCTAssertEqual(LogitFormat.fp32.negativeZeroCode, 0x8000_0000)
    }

    func testIsNaN() {
        XCTAssertTrue(LogitFormat.fp16.isNaN(0x7C01))
        XCTAssertTrue(LogitFormat.fp16.isNaN(0xFE00))
        XCTAssertTrue(LogitFormat.fp16.isNaN(0x7FFF))
        XCTAssertFalse(LogitFormat.fp16.isNaN(0x7C00))
        XCTAssertFalse(LogitFormat.fp16.isNaN(0xFC00))
        XCTAssertFalse(LogitFormat.fp16.isNaN(0x7BFF))
        XCTAssertTrue(LogitFormat.bf16.isNaN(0x7F81))
        XCTAssertFalse(LogitFormat.bf16.isNaN(0xFF80))
        XCTAssertTrue(LogitFormat.fp32.isNaN(0xFF80_0001))
        XCTAssertFalse(LogitFormat.fp32.isNaN(0x7F7F_FFFF))
        XCTAssertFalse(LogitFormat.fixed(width: 16, fraction: 8).isNaN(0x7FFF))
        XCTAssertFalse(LogitFormat.fixed(width: 16, fraction: 8).isNaN(0xFFFF))
    }

    // MARK: Keys

    func testFixedKeysAreOffsetBinary() {
        let f = LogitFormat.fixed(width: 8, fraction: 1)
        XCTAssertEqual(f.key(0x80), 0x00)   // −64, most negative
        XCTAssertEqual(f.key(0xFF), 0x7F)   // −0.5
        XCTAssertEqual(f.key(0x00), 0x80)   // 0
        XCTAssertEqual(f.key(0x01), 0x81)   // 0.5
        XCTAssertEqual(f.key(0x7F), 0xFF)   // 63.5
        XCTAssertEqual(f.key(0xFFFF_FF80), 0x00, "bits above W are ignored")
        let w32 = LogitFormat.fixed(width: 32, fraction: 16)
        XCTAssertEqual(w32.key(0x8000_0000), 0)
        XCTAssertEqual(w32.key(0x7FFF_FFFF), 0xFFFF_FFFF)
    }

    func testFP16KeyOrder() {
        let f = LogitFormat.fp16
        // Hand-computed keys.
        let expected: [(UInt32, UInt32, String)] = [
            (0xFC00, 0x03FF, "-inf"), (0x7E00, 0x03FF, "NaN"), (0xFE00, 0x03FF, "-NaN"), (0x7C01, 0x03FF, "sNaN"),
            (0xFBFF, 0x0400, "-65504"), (0xBC00, 0x43FF, "-1"), (0x8001, 0x7FFE, "-min subnormal"),
            (0x8000, 0x8000, "-0"), (0x0000, 0x8000, "+0"), (0x0001, 0x8001, "+min subnormal"),
            (0x03FF, 0x83FF, "+max subnormal"), (0x3C00, 0xBC00, "1"), (0x7BFF, 0xFBFF, "65504"),
            (0x7C00, 0xFC00, "+inf"),
        ]
        for (code, key, name) in expected {
            XCTAssertEqual(f.key(code), key, name)
        }
        // Sorting a shuffled mix by key gives the expected value order.
        let ordered: [UInt32] = [0xFC00, 0xFBFF, 0xBC00, 0x8001, 0x0000, 0x0001, 0x03FF, 0x3C00, 0x7BFF, 0x7C00]
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20 {
            var shuffled = ordered
            shuffled.shuffle(using: &rng)
            XCTAssertEqual(shuffled.sorted { f.key($0) < f.key($1) }, ordered)
        }
        XCTAssertEqual(f.key(0x8000), f.key(0x0000), "-0 and +0 share a key")
        XCTAssertEqual(f.key(0x7E00), f.key(0xFC00), "NaN has -inf's key")
        XCTAssertEqual(f.negativeInfinityKey, 0x03FF)
    }

    func testBF16AndFP32Keys() {
        let b = LogitFormat.bf16
        XCTAssertEqual(b.key(0xFF80), 0x007F)          // -inf
        XCTAssertEqual(b.key(0x7FC0), 0x007F)          // NaN
        XCTAssertEqual(b.key(0xBF80), 0x407F)          // -1
        XCTAssertEqual(b.key(0x8000), 0x8000)          // -0
        XCTAssertEqual(b.key(0x0000), 0x8000)          // +0
        XCTAssertEqual(b.key(0x3F80), 0xBF80)          // 1
        XCTAssertEqual(b.key(0x7F80), 0xFF80)          // +inf
        let s = LogitFormat.fp32
        XCTAssertEqual(s.key(0xFF80_0000), 0x007F_FFFF) // -inf
        XCTAssertEqual(s.key(0xFFC0_0000), 0x007F_FFFF) // -NaN
        XCTAssertEqual(s.key(0x7F80_0001), 0x007F_FFFF) // sNaN
        XCTAssertEqual(s.key(0xBF80_0000), 0x407F_FFFF) // -1
        XCTAssertEqual(s.key(0x8000_0001), 0x7FFF_FFFE) // -min subnormal
        XCTAssertEqual(s.key(0x8000_0000), 0x8000_0000) // -0
        XCTAssertEqual(s.key(0x0000_0000), 0x8000_0000) // +0
        XCTAssertEqual(s.key(0x0000_0001), 0x8000_0001) // +min subnormal
        XCTAssertEqual(s.key(0x3F80_0000), 0xBF80_0000) // 1
        XCTAssertEqual(s.key(0x7F80_0000), 0xFF80_0000) // +inf
    }

    /// Key order agrees with numeric order of the decoded values (NaN as -inf, -0 = +0) on random codes.
    func testKeyOrderMatchesDecodedValues() {
        var rng = SplitMix64(seed: 99)
        for format in [LogitFormat.fp16, .bf16, .fp32, .fixed(width: 12, fraction: 5), .fixed(width: 32, fraction: 31)] {
            for _ in 0..<20_000 {
                let a = UInt32.random(in: 0...format.mask, using: &rng)
                let b = UInt32.random(in: 0...format.mask, using: &rng)
                func value(_ c: UInt32) -> Double {
                    let v = LogitConverter.decode(code: c, format: format)
                    return v.isNaN ? -.infinity : v
                }
                let (va, vb) = (value(a), value(b))
                let (ka, kb) = (format.key(a), format.key(b))
                XCTAssertEqual(va < vb, ka < kb, "\(format) \(a) \(b)")
                XCTAssertEqual(va == vb, ka == kb, "\(format) \(a) \(b)")
            }
        }
    }
}
