import Trace
import XCTest

final class NpyTests: XCTestCase {
    let file = "t.npz"

    func parse(_ bytes: [UInt8], array: String = "a", expected: [NpyDType] = NpyDType.allCases) throws -> NpyArray {
        try NpyArray.parse(bytes, file: file, array: array, expected: expected)
    }

    func image(_ dict: String, _ data: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
        NpyWriter.image(headerDict: dict, data: data, version: version)
    }

    // MARK: Round trips

    func testFloat16RoundTripIsExact() throws {
        let patterns: [UInt16] = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF,
                                  0x7C00, 0xFC00, 0x7E00, 0xFE00, 0x7D01, 0x7C01, 0x7FFF, 0x3555]
        let a = try parse(NpyWriter.encode(float16Bits: patterns, shape: [2, 9]))
        XCTAssertEqual(a.dtype, .float16)
        XCTAssertEqual(a.shape, [2, 9])
        XCTAssertEqual(a.count, 18)
        let floats = try a.floats()
        XCTAssertEqual(floats.map(\.bitPattern), patterns.map { float16BitsToFloat($0).bitPattern })
        XCTAssertEqual(floats[2], 0x1p-24)
        XCTAssertEqual(floats[1].sign, .minus)
        XCTAssertEqual(floats[10], .infinity)
        XCTAssertEqual(floats[12].bitPattern, 0x7FC0_0000)
        XCTAssertEqual(floats[14].bitPattern, 0x7FA0_2000)
    }

    func testFloat32RoundTripIsBitExact() throws {
        let patterns: [UInt32] = [0x0000_0000, 0x8000_0000, 0x0000_0001, 0x807F_FFFF, 0x3F80_0000, 0x7F7F_FFFF,
                                  0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0x7FC0_0001, 0x7F80_0001, 0xFFFF_FFFF]
        let values = patterns.map { Float(bitPattern: $0) }
        let a = try parse(NpyWriter.encode(floats: values, shape: [12], as: .float32))
        XCTAssertEqual(a.dtype, .float32)
        XCTAssertEqual(try a.floats().map(\.bitPattern), patterns)
    }

    func testIntegerRoundTrips() throws {
        let i32: [Int] = [0, 1, -1, Int(Int32.max), Int(Int32.min), 50_256]
        XCTAssertEqual(try parse(NpyWriter.encode(ints: i32, shape: [6], as: .int32)).ints(), i32)
        let i64: [Int] = [0, -1, Int(Int64.max), Int(Int64.min), 1 << 40, 262_143]
        let a64 = try parse(NpyWriter.encode(ints: i64, shape: [3, 2], as: .int64))
        XCTAssertEqual(a64.dtype, .int64)
        XCTAssertEqual(try a64.ints(), i64)
        let u32: [UInt32] = [0, 1, 0x8000_0000, 0xFFFF_FFFF, 123_456_789]
        let au = try parse(NpyWriter.encode(uint32s: u32, shape: [5]))
        XCTAssertEqual(au.dtype, .uint32)
        XCTAssertEqual(try au.uint32s(), u32)
        XCTAssertEqual(try au.ints(), u32.map(Int.init))
    }

    /// Bytes written by hand (not by NpyWriter), as numpy 1.x lays them out.
    func testHandWrittenImage() throws {
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0]
        let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }"
        bytes += Array(dict.utf8) + [UInt8](repeating: 0x20, count: 118 - dict.utf8.count - 1) + [0x0A]
        XCTAssertEqual(bytes.count, 128)
        bytes += [1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x80, 0xFF, 0xFF, 0xFF, 0x7F]
        let a = try parse(bytes)
        XCTAssertEqual(a.shape, [2, 2])
        XCTAssertEqual(try a.ints(), [1, -2, Int(Int32.min), Int(Int32.max)])
        XCTAssertEqual(try a.intRow(1), [Int(Int32.min), Int(Int32.max)])
    }

    func testHeaderVersions() throws {
        let dict = NpyWriter.headerDict(descr: "<f4", shape: [2])
        let data: [UInt8] = [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]
        for version: UInt8 in [1, 2, 3] {
            let a = try parse(image(dict, data, version: version))
            XCTAssertEqual(try a.floats(), [1, 2], "version \(version)")
        }
        // Header variants numpy accepts: double quotes, no trailing comma, other key order, Python 2 longs.
        let variants = [
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}",
            "{'shape': (2L,), 'fortran_order': False, 'descr': '<f4'}",
            "  { 'descr' : '<f4' ,'fortran_order':False,'shape':( 2 , ) , }  ",
        ]
        for v in variants {
            XCTAssertEqual(try parse(image(v, data)).floats(), [1, 2], v)
        }
    }

    func testScalarAndEmptyArrays() throws {
        let scalar = try parse(NpyWriter.encode(ints: [7], shape: [], as: .int64))
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.count, 1)
        XCTAssertEqual(try scalar.ints(), [7])
        let empty = try parse(NpyWriter.encode(floats: [Float](), shape: [3, 0, 5], as: .float16))
        XCTAssertEqual(empty.count, 0)
        XCTAssertEqual(try empty.floats(), [])
        XCTAssertEqual(try empty.floatRow(2), [])
    }

    func testRowAccess() throws {
        let values = (0..<24).map { Float($0) }
        let a = try parse(NpyWriter.encode(floats: values, shape: [2, 3, 4], as: .float16))
        XCTAssertEqual(try a.floatRow(1, 2), [20, 21, 22, 23])
        XCTAssertEqual(try a.floatRow(0, 1), [4, 5, 6, 7])
        XCTAssertEqual(try a.floatRow(1), Array(values[12..<24]))
        XCTAssertEqual(try a.floatRow(), values)
        XCTAssertEqual(try a.floatRow(1, 2, 3), [23])
        assertTraceError(["t.npz: array 'a': index 3 out of range for axis 1 of shape [2, 3, 4]"]) { try a.floatRow(1, 3) }
        assertTraceError(["index -1 out of range"]) { try a.floatRow(-1) }
        assertTraceError(["4 indices for an array of shape [2, 3, 4]"]) { try a.floatRow(0, 0, 0, 0) }
        let u = try parse(NpyWriter.encode(uint32s: [UInt32](0..<6), shape: [2, 3]))
        XCTAssertEqual(try u.uint32Row(1), [3, 4, 5])
    }

    func testAccessorDTypeMismatch() throws {
        let f = try parse(NpyWriter.encode(floats: [1, 2], shape: [2], as: .float32))
        assertTraceError(["t.npz: array 'a': dtype is float32, expected an integer type"]) { try f.ints() }
        assertTraceError(["dtype is float32, expected uint32"]) { try f.uint32s() }
        let i = try parse(NpyWriter.encode(ints: [1, 2], shape: [2], as: .int32))
        assertTraceError(["dtype is int32, expected float16 or float32"]) { try i.floats() }
    }

    // MARK: Malformed input

    func testBadMagic() {
        var bytes = NpyWriter.encode(ints: [1], shape: [1], as: .int32)
        bytes[1] = UInt8(ascii: "n")
        assertTraceError(["t.npz: array 'w': not a .npy array: bad magic"]) { try parse(bytes, array: "w") }
        assertTraceError(["t.npz: array 'w': not a .npy array: 3 bytes is too short"]) {
            try parse([0x93, 0x4E, 0x55], array: "w")
        }
    }

    func testUnsupportedVersion() {
        var bytes = NpyWriter.encode(ints: [1], shape: [1], as: .int32)
        bytes[6] = 4
        assertTraceError(["array 'a'", "unsupported .npy format version 4.0"]) { try parse(bytes) }
        bytes[6] = 1
        bytes[7] = 1
        assertTraceError(["unsupported .npy format version 1.1"]) { try parse(bytes) }
    }

    func testUnsupportedDTypes() {
        for descr in ["<f8", "<i2", "<u8", "|b1", "|u1", "<c8", "O", "<U4", "=f4"] {
            let bytes = image(NpyWriter.headerDict(descr: descr, shape: [1]), [0, 0, 0, 0, 0, 0, 0, 0])
            assertTraceError(["t.npz: array 'a': unsupported dtype '\(descr)' (expected little-endian float16, "
                              + "float32, int32, int64 or uint32)"]) { try parse(bytes) }
        }
        // A valid dtype that the caller does not accept.
        let f = NpyWriter.encode(floats: [1], shape: [1], as: .float32)
        assertTraceError(["t.npz: array 'gamma': unsupported dtype '<f4' (expected little-endian int32 or int64)"]) {
            try parse(f, array: "gamma", expected: [.int32, .int64])
        }
    }

    func testBigEndian() {
        let bytes = image(NpyWriter.headerDict(descr: ">i4", shape: [1]), [0, 0, 0, 1])
        assertTraceError(["t.npz: array 'gamma': unsupported dtype '>i4' (expected little-endian int32 or int64)"]) {
            try parse(bytes, array: "gamma", expected: [.int32, .int64])
        }
        let f = image(NpyWriter.headerDict(descr: ">f2", shape: [1]), [0x3C, 0])
        assertTraceError(["unsupported dtype '>f2'"]) { try parse(f) }
    }

    func testStructuredDType() {
        let bytes = image("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0])
        assertTraceError(["t.npz: array 'a': unsupported dtype (structured or record dtype)"]) { try parse(bytes) }
    }

    func testFortranOrder() {
        let bytes = image(NpyWriter.headerDict(descr: "<f4", fortranOrder: true, shape: [2, 2]),
                          [UInt8](repeating: 0, count: 16))
        assertTraceError(["t.npz: array 'a': Fortran-order arrays are not supported"]) { try parse(bytes) }
    }

    func testTruncatedAndTrailingData() {
        let good = NpyWriter.encode(ints: [1, 2, 3], shape: [3], as: .int64)
        assertTraceError(["t.npz: array 'a': truncated data: shape [3] of int64 needs 24 bytes, found 23"]) {
            try parse(Array(good.dropLast()))
        }
        assertTraceError(["t.npz: array 'a': truncated data: shape [3] of int64 needs 24 bytes, found 0"]) {
            try parse(Array(good.prefix(128)))
        }
        assertTraceError(["t.npz: array 'a': 2 unexpected bytes after the data (shape [3] of int64 needs 24 bytes, "
                          + "found 26)"]) { try parse(good + [0, 0]) }
    }

    func testTruncatedHeader() {
        let good = NpyWriter.encode(ints: [1], shape: [1], as: .int64)
        assertTraceError(["t.npz: array 'a': truncated .npy header: declares 118 bytes, only 20 present"]) {
            try parse(Array(good.prefix(30)))
        }
        var v2 = NpyWriter.encode(ints: [1], shape: [1], as: .int64, version: 2)
        v2[11] = 0x7F
        assertTraceError(["t.npz: array 'a': malformed .npy header: length", "exceeds the limit"]) { try parse(v2) }
    }

    func testHeaderMissingAndExtraKeys() {
        assertTraceError(["t.npz: array 'a': malformed .npy header: missing key 'shape'"]) {
            try parse(image("{'descr': '<f4', 'fortran_order': False}", [0, 0, 0, 0]))
        }
        assertTraceError(["malformed .npy header: missing key 'descr'"]) {
            try parse(image("{'fortran_order': False, 'shape': (1,)}", [0, 0, 0, 0]))
        }
        assertTraceError(["malformed .npy header: missing key 'fortran_order'"]) {
            try parse(image("{'descr': '<f4', 'shape': (1,)}", [0, 0, 0, 0]))
        }
        assertTraceError(["malformed .npy header: unexpected key 'order'"]) {
            try parse(image("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'order': 'C'}", [0, 0, 0, 0]))
        }
        assertTraceError(["malformed .npy header: duplicate key 'shape'"]) {
            try parse(image("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (1,)}", [0, 0, 0, 0]))
        }
    }

    func testControlCharactersAreEscapedInMessages() {
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x\u{1}\ry': 'C'}"
        let error = assertTraceError(["t.npz: array 'a': malformed .npy header: unexpected key 'x\\u{1}\\u{d}y'"]) {
            try parse(image(dict, [0, 0, 0, 0]))
        }
        XCTAssertEqual(error?.message.contains("\r"), true, "the raw message keeps the original text")
    }

    func testMalformedHeaderSyntax() {
        let bad = [
            "",
            "descr",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)",
            "{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
            "{'descr': '<f4 , 'fortran_order': False, 'shape': (1,)}",
            "{'descr': 4, 'fortran_order': False, 'shape': (1,)}",
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1, x)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
            "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': ('1',)}",
        ]
        for dict in bad {
            assertTraceError(["t.npz: array 'a': malformed .npy header"]) { try parse(image(dict, [0, 0, 0, 0])) }
        }
        assertTraceError(["t.npz: array 'a': malformed .npy header: shape (1) is not a tuple"]) {
            try parse(image("{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", [0, 0, 0, 0]))
        }
    }

    func testNegativeAndOverflowingShapes() {
        assertTraceError(["t.npz: array 'a': invalid shape: negative dimension -1"]) {
            try parse(image("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", []))
        }
        assertTraceError(["t.npz: array 'a': shape [4294967296, 4294967296, 16] has too many elements"]) {
            try parse(image("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }", []))
        }
        // Element count fits, byte count does not.
        assertTraceError(["t.npz: array 'a': shape [4611686018427387904] has too many elements"]) {
            try parse(image("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }", []))
        }
        assertTraceError(["t.npz: array 'a': invalid shape: dimension 99999999999999999999", "too large"]) {
            try parse(image("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999999,), }", []))
        }
        // Absurd but representable: refused because the data is not there.
        assertTraceError(["t.npz: array 'a': truncated data: shape [1000000000, 1000] of float16 needs "
                          + "2000000000000 bytes, found 4"]) {
            try parse(image("{'descr': '<f2', 'fortran_order': False, 'shape': (1000000000, 1000), }", [0, 0, 0, 0]))
        }
    }

    func testStandaloneNpyFile() throws {
        let path = temporaryPath("standalone.npy")
        try Data(NpyWriter.encode(floats: [1.5, -2], shape: [2], as: .float16)).write(to: URL(fileURLWithPath: path))
        let a = try NpyArray(contentsOf: path)
        XCTAssertEqual(try a.floats(), [1.5, -2])
        XCTAssertNil(a.name)
        try Data(NpyWriter.encode(floats: [1.5, -2], shape: [2], as: .float16).dropLast()).write(to: URL(fileURLWithPath: path))
        let error = assertTraceError(["\(path): truncated data"]) { try NpyArray(contentsOf: path) }
        XCTAssertNil(error?.array)
        assertTraceError(["/nonexistent/x.npy: cannot read file: no such file"]) {
            try NpyArray(contentsOf: "/nonexistent/x.npy")
        }
    }
}

final class NpyEdgeTests: XCTestCase {
    /// Zero-sized arrays may have huge other axes; row access must check indices before multiplying.
    func testZeroSizedArrayWithHugeAxes() throws {
        let dict = "{'descr': '<f2', 'fortran_order': False, 'shape': (0, 4611686018427387904, 4), }"
        let a = try NpyArray.parse(NpyWriter.image(headerDict: dict, data: []), file: "z.npz", array: "a")
        XCTAssertEqual(a.count, 0)
        XCTAssertEqual(try a.floats(), [])
        XCTAssertEqual(try a.floatRow(), [])
        assertTraceError(["z.npz: array 'a': index 0 out of range for axis 0"]) { try a.floatRow(0) }
        assertTraceError(["index 0 out of range for axis 0"]) { try a.floatRow(0, 5) }
    }
}
