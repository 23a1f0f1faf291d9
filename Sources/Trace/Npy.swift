import Foundation

/// The element types this reader accepts: little-endian, as `numpy.save` writes them on x86 and ARM.
public enum NpyDType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float16 = "<f2"
    case float32 = "<f4"
    case int32 = "<i4"
    case int64 = "<i8"
    case uint32 = "<u4"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float16: return 2
        case .float32, .int32, .uint32: return 4
        case .int64: return 8
        }
    }

    /// The NumPy name (`float16`, `int64`, …).
    public var name: String {
        switch self {
        case .float16: return "float16"
        case .float32: return "float32"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint32: return "uint32"
        }
    }

    public var isFloat: Bool { self == .float16 || self == .float32 }
    public var isInteger: Bool { !isFloat }

    public var description: String { name }

    /// "little-endian float16 or float32", as used in "unsupported dtype" messages.
    static func describe(_ types: [NpyDType]) -> String {
        let names = types.map(\.name)
        switch names.count {
        case 0: return "nothing"
        case 1: return "little-endian \(names[0])"
        default: return "little-endian " + names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
        }
    }
}

/// One NumPy array: its dtype, its C-order shape and its raw little-endian element bytes.
///
/// The element bytes are kept as read; typed accessors decode on demand (whole array or one row), so a large
/// float16 logit tensor costs its file size in memory, not twice that.
///
/// Accepted input (anything else is a `TraceError` naming the file and array):
/// - magic `\x93NUMPY`, format version 1.0, 2.0 or 3.0;
/// - a header that is a Python dict literal with exactly the keys `descr`, `fortran_order`, `shape`
///   (what `numpy.lib.format` writes): `descr` one of `<f2 <f4 <i4 <i8 <u4`, `fortran_order` `False`,
///   `shape` a tuple of non-negative integers (`()` is a scalar) whose product fits in memory;
/// - exactly `count × itemSize` data bytes after the header. **Trailing bytes are an error** (numpy ignores them,
///   but `numpy.save` never writes them, and a short shape over a longer payload usually means a corrupt header).
public struct NpyArray: Sendable {
    public let dtype: NpyDType
    /// C-order shape; `[]` for a 0-d (scalar) array.
    public let shape: [Int]
    /// Number of elements (product of `shape`, 1 for a scalar).
    public let count: Int
    /// The file the array came from (for error messages).
    public let file: String
    /// The array's name inside an `.npz` (nil for a standalone `.npy`).
    public let name: String?

    let storage: [UInt8]
    let dataOffset: Int

    /// Largest header accepted (numpy itself refuses headers over 10 000 bytes by default).
    public static let maxHeaderLength = 1 << 20

    var context: ArrayContext { ArrayContext(file: file, array: name) }

    /// Bytes of element data.
    public var byteCount: Int { count * dtype.itemSize }
    public var rank: Int { shape.count }

    // MARK: Loading

    /// Parses a whole `.npy` byte image.
    /// - Parameters:
    ///   - file: the file name used in error messages.
    ///   - array: the array name used in error messages (the member name for `.npz` entries).
    ///   - expected: the dtypes the caller accepts; another valid NumPy dtype is reported as unsupported.
    public static func parse(_ bytes: [UInt8], file: String, array: String? = nil,
                             expected: [NpyDType] = NpyDType.allCases) throws(TraceError) -> NpyArray {
        let ctx = ArrayContext(file: file, array: array)
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard bytes.count >= 10 else {
            throw ctx.error("not a .npy array: \(bytes.count) bytes is too short for the NPY preamble")
        }
        guard bytes[0..<6].elementsEqual(magic) else {
            throw ctx.error("not a .npy array: bad magic (expected \\x93NUMPY)")
        }
        let major = bytes[6], minor = bytes[7]
        let headerLength: Int
        let headerStart: Int
        switch (major, minor) {
        case (1, 0):
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case (2, 0), (3, 0):
            guard bytes.count >= 12 else {
                throw ctx.error("truncated .npy preamble (version \(major).\(minor) needs 12 bytes)")
            }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw ctx.error("unsupported .npy format version \(major).\(minor) (expected 1.0, 2.0 or 3.0)")
        }
        guard headerLength <= maxHeaderLength else {
            throw ctx.error("malformed .npy header: length \(headerLength) exceeds the limit of \(maxHeaderLength) bytes")
        }
        let dataOffset = headerStart + headerLength  // both small: no overflow
        guard dataOffset <= bytes.count else {
            throw ctx.error("truncated .npy header: declares \(headerLength) bytes, "
                            + "only \(bytes.count - headerStart) present")
        }
        let header = try NpyHeader.parse(bytes[headerStart..<dataOffset], ctx: ctx)

        guard let dtype = NpyDType(rawValue: header.descr), expected.contains(dtype) else {
            throw ctx.error("unsupported dtype '\(header.descr)' (expected \(NpyDType.describe(expected)))")
        }
        if header.fortranOrder {
            throw ctx.error("Fortran-order arrays are not supported (fortran_order is True; save with C order)")
        }
        var count = 1
        for dim in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else {
                throw ctx.error("shape \(formatShape(header.shape)) has too many elements")
            }
            count = product
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else {
            throw ctx.error("shape \(formatShape(header.shape)) has too many elements")
        }
        let present = bytes.count - dataOffset
        if present < needed {
            throw ctx.error("truncated data: shape \(formatShape(header.shape)) of \(dtype.name) needs \(needed) bytes, "
                            + "found \(present)")
        }
        if present > needed {
            throw ctx.error("\(present - needed) unexpected bytes after the data (shape \(formatShape(header.shape)) "
                            + "of \(dtype.name) needs \(needed) bytes, found \(present))")
        }
        return NpyArray(dtype: dtype, shape: header.shape, count: count, file: file, name: array,
                        storage: bytes, dataOffset: dataOffset)
    }

    /// Reads a standalone `.npy` file. Errors name the file as `path` is spelled.
    public init(contentsOf path: String, expected: [NpyDType] = NpyDType.allCases) throws(TraceError) {
        let bytes = try readFileBytes(path)
        self = try NpyArray.parse(bytes, file: path, array: nil, expected: expected)
    }

    init(dtype: NpyDType, shape: [Int], count: Int, file: String, name: String?, storage: [UInt8], dataOffset: Int) {
        self.dtype = dtype
        self.shape = shape
        self.count = count
        self.file = file
        self.name = name
        self.storage = storage
        self.dataOffset = dataOffset
    }

    // MARK: Whole-array accessors

    /// All elements as `Float` (float16 decoded exactly, float32 bit for bit).
    public func floats() throws(TraceError) -> [Float] {
        try requireFloat()
        return decodeFloats(elementOffset: 0, count: count)
    }

    /// All elements as `Int` (from int32, int64 or uint32).
    public func ints() throws(TraceError) -> [Int] {
        try requireInteger()
        return decodeInts(elementOffset: 0, count: count)
    }

    /// All elements of a uint32 array.
    public func uint32s() throws(TraceError) -> [UInt32] {
        guard dtype == .uint32 else { throw context.error("dtype is \(dtype.name), expected uint32") }
        return decodeUInt32s(elementOffset: 0, count: count)
    }

    // MARK: Row accessors

    /// The contiguous block selected by fixing the leading `indices.count` dimensions, decoded to `Float`.
    /// For a `[R, G+1, V]` array, `floatRow(r, i)` is the V logits of row i of round r. Only that block is decoded.
    public func floatRow(_ indices: Int...) throws(TraceError) -> [Float] {
        try requireFloat()
        let (offset, length) = try block(indices)
        return decodeFloats(elementOffset: offset, count: length)
    }

    /// Like `floatRow` for integer arrays.
    public func intRow(_ indices: Int...) throws(TraceError) -> [Int] {
        try requireInteger()
        let (offset, length) = try block(indices)
        return decodeInts(elementOffset: offset, count: length)
    }

    /// Like `floatRow` for uint32 arrays.
    public func uint32Row(_ indices: Int...) throws(TraceError) -> [UInt32] {
        guard dtype == .uint32 else { throw context.error("dtype is \(dtype.name), expected uint32") }
        let (offset, length) = try block(indices)
        return decodeUInt32s(elementOffset: offset, count: length)
    }

    /// Element offset and length of the block selected by leading indices.
    func block(_ indices: [Int]) throws(TraceError) -> (offset: Int, length: Int) {
        guard indices.count <= shape.count else {
            throw context.error("\(indices.count) indices for an array of shape \(formatShape(shape))")
        }
        for (axis, index) in indices.enumerated() where index < 0 || index >= shape[axis] {
            throw context.error("index \(index) out of range for axis \(axis) of shape \(formatShape(shape))")
        }
        // With every fixed axis ≥ 1 (the indices are in range), the block and the strides are at most `count`
        // elements, so none of these products can overflow.
        var length = 1
        for dim in shape[indices.count...] { length *= dim }
        var offset = 0
        var step = length
        for axis in (0..<indices.count).reversed() {
            offset += indices[axis] * step
            step *= shape[axis]
        }
        return (offset, length)
    }

    private func requireFloat() throws(TraceError) {
        guard dtype.isFloat else { throw context.error("dtype is \(dtype.name), expected float16 or float32") }
    }

    private func requireInteger() throws(TraceError) {
        guard dtype.isInteger else { throw context.error("dtype is \(dtype.name), expected an integer type") }
    }

    // MARK: Decoding (callers guarantee the range is inside the array and the dtype matches)

    func decodeFloats(elementOffset: Int, count n: Int) -> [Float] {
        guard n > 0 else { return [] }
        let start = dataOffset + elementOffset * dtype.itemSize
        precondition(elementOffset >= 0 && elementOffset + n <= count, "internal: block outside the array")
        let dtype = self.dtype
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            storage.withUnsafeBytes { raw in
                let src = UnsafeRawBufferPointer(rebasing: raw[start..<(start + n * dtype.itemSize)])
                switch dtype {
                case .float16:
                    float16Table.withUnsafeBufferPointer { table in
                        for i in 0..<n {
                            let bits = UInt16(src[2 * i]) | UInt16(src[2 * i + 1]) << 8
                            out[i] = table[Int(bits)]
                        }
                    }
                case .float32:
                    for i in 0..<n {
                        out[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i,
                                                                                          as: UInt32.self)))
                    }
                default:
                    for i in 0..<n { out[i] = .nan }
                }
            }
            initialized = n
        }
    }

    func decodeInts(elementOffset: Int, count n: Int) -> [Int] {
        guard n > 0 else { return [] }
        precondition(elementOffset >= 0 && elementOffset + n <= count, "internal: block outside the array")
        let start = dataOffset + elementOffset * dtype.itemSize
        let dtype = self.dtype
        return [Int](unsafeUninitializedCapacity: n) { out, initialized in
            storage.withUnsafeBytes { raw in
                let src = UnsafeRawBufferPointer(rebasing: raw[start..<(start + n * dtype.itemSize)])
                switch dtype {
                case .int32:
                    for i in 0..<n {
                        out[i] = Int(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                    }
                case .int64:
                    for i in 0..<n {
                        out[i] = Int(truncatingIfNeeded: Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i,
                                                                                               as: Int64.self)))
                    }
                case .uint32:
                    for i in 0..<n {
                        out[i] = Int(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                default:
                    for i in 0..<n { out[i] = 0 }
                }
            }
            initialized = n
        }
    }

    func decodeUInt32s(elementOffset: Int, count n: Int) -> [UInt32] {
        guard n > 0 else { return [] }
        precondition(elementOffset >= 0 && elementOffset + n <= count, "internal: block outside the array")
        let start = dataOffset + elementOffset * 4
        return [UInt32](unsafeUninitializedCapacity: n) { out, initialized in
            storage.withUnsafeBytes { raw in
                let src = UnsafeRawBufferPointer(rebasing: raw[start..<(start + n * 4)])
                for i in 0..<n {
                    out[i] = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                }
            }
            initialized = n
        }
    }
}

/// `[4, 5, 100]`, as shapes appear in messages.
func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// Reads a whole file; failures become a `TraceError` naming the file.
func readFileBytes(_ path: String) throws(TraceError) -> [UInt8] {
    do {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return [UInt8](data)
    } catch {
        let reason: String
        if !FileManager.default.fileExists(atPath: path) {
            reason = "no such file"
        } else {
            reason = (error as NSError).localizedDescription
        }
        throw TraceError(file: path, "cannot read file: \(reason)")
    }
}

// MARK: - Header

/// The parsed header dict of an `.npy` file.
struct NpyHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// Parses the restricted Python literal that `numpy.lib.format` writes:
    /// `{'descr': '<f2', 'fortran_order': False, 'shape': (3, 4), }` plus padding spaces and a newline.
    static func parse(_ text: ArraySlice<UInt8>, ctx: ArrayContext) throws(TraceError) -> NpyHeader {
        var p = HeaderParser(bytes: Array(text), ctx: ctx)
        return try p.parseHeader()
    }
}

private struct HeaderParser {
    let bytes: [UInt8]
    let ctx: ArrayContext
    var pos = 0

    init(bytes: [UInt8], ctx: ArrayContext) {
        self.bytes = bytes
        self.ctx = ctx
    }

    enum Value {
        case string(String)
        case bool(Bool)
        case tuple([Int])
        case other(String)
    }

    func fail(_ what: String) -> TraceError {
        ctx.error("malformed .npy header: \(what)")
    }

    var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws(TraceError) {
        skipSpace()
        guard peek == c else { throw fail("expected \(what) at byte \(pos)") }
        pos += 1
    }

    mutating func parseHeader() throws(TraceError) -> NpyHeader {
        try expect(UInt8(ascii: "{"), "'{'")
        var descr: String?
        var fortran: Bool?
        var shape: [Int]?
        var seen = Set<String>()
        skipSpace()
        while peek != UInt8(ascii: "}") {
            let key = try parseString()
            guard seen.insert(key).inserted else { throw fail("duplicate key '\(key)'") }
            try expect(UInt8(ascii: ":"), "':'")
            let value = try parseValue(forKey: key)
            switch (key, value) {
            case ("descr", .string(let s)): descr = s
            case ("descr", .other(let what)):
                throw ctx.error("unsupported dtype (\(what)); expected a simple little-endian numeric dtype")
            case ("fortran_order", .bool(let b)): fortran = b
            case ("shape", .tuple(let t)): shape = t
            case ("descr", _), ("fortran_order", _), ("shape", _):
                throw fail("key '\(key)' has a value of the wrong type")
            default:
                throw fail("unexpected key '\(key)' (expected exactly 'descr', 'fortran_order', 'shape')")
            }
            skipSpace()
            if peek == UInt8(ascii: ",") {
                pos += 1
                skipSpace()
            } else if peek != UInt8(ascii: "}") {
                throw fail("expected ',' or '}' at byte \(pos)")
            }
        }
        pos += 1  // '}'
        skipSpace()
        guard pos == bytes.count else { throw fail("unexpected text after the dict at byte \(pos)") }
        for key in ["descr", "fortran_order", "shape"] where !seen.contains(key) {
            throw fail("missing key '\(key)'")
        }
        guard let descr, let fortran, let shape else { throw fail("missing key") }
        return NpyHeader(descr: descr, fortranOrder: fortran, shape: shape)
    }

    mutating func parseString() throws(TraceError) -> String {
        skipSpace()
        guard let quote = peek, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw fail("expected a quoted string at byte \(pos)")
        }
        pos += 1
        let start = pos
        while let c = peek, c != quote {
            guard c != UInt8(ascii: "\\"), c != 0x0A else { throw fail("unsupported character in a string") }
            pos += 1
        }
        guard peek == quote else { throw fail("unterminated string") }
        let s = String(decoding: bytes[start..<pos], as: UTF8.self)
        pos += 1
        guard s.count <= 64 else { throw fail("string too long") }
        return s
    }

    mutating func parseValue(forKey key: String) throws(TraceError) -> Value {
        skipSpace()
        guard let c = peek else { throw fail("unexpected end of header") }
        switch c {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "("):
            return .tuple(try parseTuple())
        case UInt8(ascii: "["):
            return .other("structured or record dtype")
        default:
            if matchWord("True") { return .bool(true) }
            if matchWord("False") { return .bool(false) }
            throw fail("unexpected value for key '\(key)' at byte \(pos)")
        }
    }

    mutating func matchWord(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, bytes[pos..<(pos + w.count)].elementsEqual(w) else { return false }
        pos += w.count
        return true
    }

    /// `()`, `(5,)`, `(3, 4)`, `(3, 4,)`. A parenthesised single integer without a comma is not a tuple in Python
    /// and is refused, as numpy refuses it.
    mutating func parseTuple() throws(TraceError) -> [Int] {
        pos += 1  // '('
        var dims: [Int] = []
        var trailingComma = false
        skipSpace()
        while peek != UInt8(ascii: ")") {
            dims.append(try parseDimension())
            guard dims.count <= 64 else { throw fail("shape has more than 64 dimensions") }
            skipSpace()
            trailingComma = false
            if peek == UInt8(ascii: ",") {
                pos += 1
                trailingComma = true
                skipSpace()
            } else if peek != UInt8(ascii: ")") {
                throw fail("expected ',' or ')' in shape at byte \(pos)")
            }
        }
        pos += 1  // ')'
        if dims.count == 1 && !trailingComma { throw fail("shape (\(dims[0])) is not a tuple (write (\(dims[0]),))") }
        return dims
    }

    mutating func parseDimension() throws(TraceError) -> Int {
        skipSpace()
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        var value = 0
        var digits = 0
        var overflow = false
        let digitsStart = pos
        while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            value = a
            digits += 1
            pos += 1
        }
        guard digits > 0 else { throw fail("expected an integer in shape at byte \(pos)") }
        let literal = digits <= 24 ? String(decoding: bytes[digitsStart..<pos], as: UTF8.self)
            : String(decoding: bytes[digitsStart..<(digitsStart + 20)], as: UTF8.self) + "…(\(digits) digits)"
        if peek == UInt8(ascii: "L") { pos += 1 }  // Python 2 long suffix
        if negative {
            throw ctx.error("invalid shape: negative dimension -\(literal)")
        }
        if overflow {
            throw ctx.error("invalid shape: dimension \(literal) is too large")
        }
        return value
    }
}
