import Foundation
import ZIPFoundation

/// Writes `.npy` images the way `numpy.save` does (C order, little-endian, header padded to 64 bytes),
/// for tests and tools that need trace files without Python.
public enum NpyWriter {
    /// The header dict, e.g. `{'descr': '<f2', 'fortran_order': False, 'shape': (3, 4), }`.
    public static func headerDict(descr: String, fortranOrder: Bool = false, shape: [Int]) -> String {
        let dims: String
        switch shape.count {
        case 0: dims = "()"
        case 1: dims = "(\(shape[0]),)"
        default: dims = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        return "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(dims), }"
    }

    /// A complete `.npy` image from a header dict and raw data bytes; the dict is padded with spaces and a newline
    /// so that the data starts on a 64-byte boundary. `version` is 1, 2 or 3 (2 and 3 use a 4-byte header length).
    public static func image(headerDict: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        precondition((1...3).contains(version), "npy version must be 1, 2 or 3")
        let preamble = version == 1 ? 10 : 12
        var header = Array(headerDict.utf8)
        let unpadded = preamble + header.count + 1
        let padding = (64 - unpadded % 64) % 64
        header += [UInt8](repeating: 0x20, count: padding) + [0x0A]
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        let length = header.count
        if version == 1 {
            precondition(length <= 0xFFFF, "header too long for npy version 1.0")
            out += [UInt8(length & 0xFF), UInt8(length >> 8)]
        } else {
            out += (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        }
        return out + header + data
    }

    /// An array with raw little-endian element bytes (`data.count` must be `product(shape) × dtype.itemSize`).
    public static func encode(dtype: NpyDType, shape: [Int], data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        precondition(data.count == shape.reduce(1, *) * dtype.itemSize, "data size does not match the shape")
        return image(headerDict: headerDict(descr: dtype.rawValue, shape: shape), data: data, version: version)
    }

    /// Floats as float32 (bit for bit) or float16 (rounded to nearest, ties to even).
    public static func encode(floats values: [Float], shape: [Int], as dtype: NpyDType = .float32,
                              version: UInt8 = 1) -> [UInt8] {
        switch dtype {
        case .float32:
            return encode(dtype: dtype, shape: shape, data: littleEndianBytes(values.map(\.bitPattern)), version: version)
        case .float16:
            return encode(dtype: dtype, shape: shape, data: littleEndianBytes(values.map(floatToFloat16Bits)),
                          version: version)
        default:
            preconditionFailure("encode(floats:) writes float16 or float32, not \(dtype.name)")
        }
    }

    /// Raw float16 bit patterns.
    public static func encode(float16Bits: [UInt16], shape: [Int], version: UInt8 = 1) -> [UInt8] {
        encode(dtype: .float16, shape: shape, data: littleEndianBytes(float16Bits), version: version)
    }

    /// Integers as int32 or int64 (values must fit), or uint32.
    public static func encode(ints values: [Int], shape: [Int], as dtype: NpyDType = .int64,
                              version: UInt8 = 1) -> [UInt8] {
        switch dtype {
        case .int32:
            return encode(dtype: dtype, shape: shape, data: littleEndianBytes(values.map { Int32($0) }), version: version)
        case .int64:
            return encode(dtype: dtype, shape: shape, data: littleEndianBytes(values.map { Int64($0) }), version: version)
        case .uint32:
            return encode(dtype: dtype, shape: shape, data: littleEndianBytes(values.map { UInt32($0) }),
                          version: version)
        default:
            preconditionFailure("encode(ints:) writes int32, int64 or uint32, not \(dtype.name)")
        }
    }

    /// uint32 values.
    public static func encode(uint32s values: [UInt32], shape: [Int], version: UInt8 = 1) -> [UInt8] {
        encode(dtype: .uint32, shape: shape, data: littleEndianBytes(values), version: version)
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        if 1.littleEndian == 1 {
            return values.withUnsafeBytes { [UInt8]($0) }
        }
        let size = MemoryLayout<T>.size
        return [UInt8](unsafeUninitializedCapacity: values.count * size) { out, initialized in
            for (i, v) in values.enumerated() {
                withUnsafeBytes(of: v.littleEndian) { bytes in
                    for k in 0..<size { out[i * size + k] = bytes[k] }
                }
            }
            initialized = values.count * size
        }
    }
}

/// binary32 → binary16, round to nearest, ties to even; overflow → ±inf; NaN → quiet NaN keeping sign and the
/// top payload bits.
public func floatToFloat16Bits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
    let exponent = Int((bits >> 23) & 0xFF)
    let mantissa = bits & 0x007F_FFFF
    if exponent == 0xFF {
        if mantissa == 0 { return sign | 0x7C00 }
        return sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
    }
    let e = exponent - 127 + 15
    if e >= 0x1F { return sign | 0x7C00 }
    if e <= 0 {
        // Subnormal (or zero) in binary16: shift the full significand right and round.
        if e < -10 { return sign }
        let significand = mantissa | 0x0080_0000
        let shift = UInt32(14 - e)
        var half = significand >> shift
        let remainder = significand & ((1 << shift) - 1)
        let halfway = UInt32(1) << (shift - 1)
        if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }
    var half = UInt32(e) << 10 | mantissa >> 13
    let remainder = mantissa & 0x1FFF
    if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }  // may carry into inf: correct
    return sign | UInt16(half)
}

/// Writes `.npz` archives with ZIPFoundation, stored (as `numpy.savez`) or deflated (as `numpy.savez_compressed`).
public enum NpzWriter {
    /// A fixed timestamp so that the same arrays always give the same bytes.
    static let timestamp = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01

    /// An archive image with members `<name>.npy`, in the given order.
    public static func archive(_ arrays: [(name: String, npy: [UInt8])],
                               compressed: Bool = true) throws(TraceError) -> [UInt8] {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for (name, npy) in arrays {
                let data = Data(npy)
                try archive.addEntry(with: name + ".npy", type: .file, uncompressedSize: Int64(data.count),
                                     modificationDate: timestamp,
                                     compressionMethod: compressed ? .deflate : .none,
                                     provider: { position, size in
                    data.subdata(in: Int(position)..<(Int(position) + size))
                })
            }
            guard let data = archive.data else { throw TraceError(file: "<memory>", "ZIPFoundation returned no data") }
            return [UInt8](data)
        } catch let error as TraceError {
            throw error
        } catch {
            throw TraceError(file: "<memory>", "cannot write npz archive: \(error)")
        }
    }

    /// Writes an archive to `path`.
    public static func write(_ arrays: [(name: String, npy: [UInt8])], to path: String,
                             compressed: Bool = true) throws(TraceError) {
        let bytes = try archive(arrays, compressed: compressed)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw TraceError(file: path, "cannot write file: \(error.localizedDescription)")
        }
    }
}
