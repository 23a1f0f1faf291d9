import Foundation

/// A NumPy `.npz` archive (what `numpy.savez` / `numpy.savez_compressed` write): a zip file whose members are
/// `<name>.npy`. Members are read lazily, one array at a time, fully into memory.
///
/// - Stored and deflated members are supported; other methods, encryption and multi-disk archives are errors.
/// - Every member's CRC-32 and sizes are checked.
/// - A member whose declared uncompressed size exceeds `maxEntryBytes` (default 2 GiB) is refused before any
///   inflating, and inflating stops as soon as the output exceeds the declared size (zip bombs).
/// - Members whose names do not end in `.npy` are ignored; two members with the same name are an error.
public struct NpzArchive: Sendable {
    /// The file as the caller named it.
    public let file: String
    /// Largest member accepted, in bytes (uncompressed).
    public let maxEntryBytes: Int
    /// Array names (member names without `.npy`), in archive order.
    public let arrayNames: [String]

    public static let defaultMaxEntryBytes = 2 << 30  // 2 GiB

    let container: ZipContainer
    let index: [String: Int]

    /// Reads an `.npz` file. Errors name the file as `path` is spelled.
    public init(contentsOf path: String, maxEntryBytes: Int = NpzArchive.defaultMaxEntryBytes) throws(TraceError) {
        let bytes = try readFileBytes(path)
        try self.init(bytes: bytes, file: path, maxEntryBytes: maxEntryBytes)
    }

    /// Reads an `.npz` image held in memory; `file` is the name used in error messages.
    public init(bytes: [UInt8], file: String, maxEntryBytes: Int = NpzArchive.defaultMaxEntryBytes) throws(TraceError) {
        if bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) {
            throw TraceError(file: file, "is a single .npy array, expected an .npz archive")
        }
        let container = try ZipContainer(bytes: bytes, file: file)
        var names: [String] = []
        var index: [String: Int] = [:]
        for (i, member) in container.members.enumerated() where member.name.hasSuffix(".npy") {
            let name = String(member.name.dropLast(4))
            guard index[name] == nil else {
                throw TraceError(file: file, array: name, "archive holds two members named '\(member.name)'")
            }
            index[name] = i
            names.append(name)
        }
        self.file = file
        self.maxEntryBytes = max(0, maxEntryBytes)
        self.container = container
        self.index = index
        self.arrayNames = names
    }

    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// The named array. Throws if it is missing or cannot be read.
    /// - Parameter expected: dtypes the caller accepts (others are reported as unsupported).
    public func array(_ name: String, expected: [NpyDType] = NpyDType.allCases) throws(TraceError) -> NpyArray {
        guard let array = try arrayIfPresent(name, expected: expected) else {
            var present = arrayNames.isEmpty ? "none" : arrayNames.prefix(16).map { "'\($0)'" }.joined(separator: ", ")
            if arrayNames.count > 16 { present += ", … (\(arrayNames.count) in all)" }
            throw TraceError(file: file, array: name, "missing from the archive (arrays present: \(present))")
        }
        return array
    }

    /// The named array, or nil when the archive has no member `<name>.npy`.
    public func arrayIfPresent(_ name: String,
                               expected: [NpyDType] = NpyDType.allCases) throws(TraceError) -> NpyArray? {
        guard let i = index[name] else { return nil }
        let bytes = try container.extract(container.members[i], array: name, maxBytes: maxEntryBytes)
        return try NpyArray.parse(bytes, file: file, array: name, expected: expected)
    }
}
