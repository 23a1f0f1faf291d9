/// A named-field bit layout of a stream payload or a register (Amaranth `StructLayout`, SystemVerilog packed
/// struct): fields from the least significant bit up, each a scalar or an array of equal elements. The same
/// value describes the wire format to the HDL (slices, registers), the golden model and the testbench (`pack`,
/// `unpack`), so a format is written once.
public struct Layout: Hashable, Sendable, CustomStringConvertible {
    /// A field: `count` elements of `width` bits (count 1 for a scalar). Hold it as a constant and index layouts
    /// and packed values with it: a misspelt field is then a compile error.
    public struct Field: Hashable, Sendable {
        public let name: String
        public let width: Int
        public let count: Int

        public init(_ name: String, _ width: Int, count: Int = 1) {
            precondition(width >= 1 && count >= 1, "field '\(name)': width \(width), count \(count)")
            self.name = name
            self.width = width
            self.count = count
        }

        /// Bits of the whole field (all elements).
        public var bits: Int { width * count }
    }

    public let name: String
    /// Fields, least significant first.
    public let fields: [Field]
    /// Bit offset of each field, by name.
    private let offsets: [String: Int]
    /// Total bits.
    public let width: Int

    public init(_ name: String, _ fields: [Field]) {
        var offsets: [String: Int] = [:]
        var offset = 0
        for f in fields {
            precondition(offsets[f.name] == nil, "layout '\(name)' has two fields named '\(f.name)'")
            offsets[f.name] = offset
            offset += f.bits
        }
        self.name = name
        self.fields = fields
        self.offsets = offsets
        width = offset
    }

    /// The lowest bit of `field` (of its element `index`).
    public func offset(of field: Field, _ index: Int = 0) -> Int {
        guard let base = offsets[field.name], fields.contains(field) else {
            preconditionFailure("layout '\(name)' has no field \(field.name)[\(field.width)×\(field.count)]")
        }
        precondition(index >= 0 && index < field.count, "\(name).\(field.name)[\(index)] out of 0..<\(field.count)")
        return base + index * field.width
    }

    public func contains(_ field: Field) -> Bool { fields.contains(field) }

    /// The same fields plus `extra` on top.
    public func appending(_ extra: [Field], name newName: String? = nil) -> Layout {
        Layout(newName ?? name, fields + extra)
    }

    /// The same fields without `removed`.
    public func removing(_ removed: [Field], name newName: String? = nil) -> Layout {
        Layout(newName ?? name, fields.filter { !removed.contains($0) })
    }

    public var description: String {
        "\(name){" + fields.map { "\($0.name):\($0.width)" + ($0.count > 1 ? "×\($0.count)" : "") }.joined(separator: ", ") + "}"
    }

    /// A zero value of this layout.
    public func packed() -> PackedBits { PackedBits(layout: self) }

    /// Unpacks 32-bit words (least significant first, missing words read as 0).
    public func unpack(_ words: [UInt32]) -> PackedBits { PackedBits(layout: self, words: words) }
}

/// A value of a `Layout` as little-endian 32-bit words (the bridge's beat format). Reading and writing a field
/// truncates to the field's width.
public struct PackedBits: Equatable, Sendable {
    public let layout: Layout
    public private(set) var words: [UInt32]

    init(layout: Layout, words: [UInt32] = []) {
        self.layout = layout
        let count = (layout.width + 31) / 32
        self.words = Array(words.prefix(count)) + Array(repeating: 0, count: max(0, count - words.count))
        if layout.width % 32 != 0, !self.words.isEmpty { self.words[count - 1] &= (1 << UInt32(layout.width % 32)) - 1 }
    }

    public subscript(_ field: Layout.Field) -> UInt64 {
        get { self[field, 0] }
        set { self[field, 0] = newValue }
    }

    /// Element `index` of an array field.
    public subscript(_ field: Layout.Field, _ index: Int) -> UInt64 {
        get { get(at: layout.offset(of: field, index), width: min(64, field.width)) }
        set { put(newValue, at: layout.offset(of: field, index), width: field.width) }
    }

    private mutating func put(_ value: UInt64, at offset: Int, width: Int) {
        for i in 0..<width {
            let bit = offset + i
            let one = i < 64 && (value >> UInt64(i)) & 1 == 1
            if one { words[bit >> 5] |= 1 << UInt32(bit & 31) } else { words[bit >> 5] &= ~(1 << UInt32(bit & 31)) }
        }
    }

    private func get(at offset: Int, width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<width where (words[(offset + i) >> 5] >> UInt32((offset + i) & 31)) & 1 == 1 { v |= 1 << UInt64(i) }
        return v
    }
}
