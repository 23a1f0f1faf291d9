/// A hardware value seen through a `Layout`: its fields by `Layout.Field`, each a wire named `<name>_<field>`
/// in the emitted Verilog (so a slice reads as `argmax_tag_draft`, not `tag_out[16:7]`).
public struct LayoutValue {
    public let layout: Layout
    /// The packed bits (field 0 lowest).
    public let bits: Value
    let builder: ModuleBuilder
    let name: String

    /// The whole of `field` (all elements of an array field), as a named wire.
    public subscript(_ field: Layout.Field) -> Value {
        let lo = layout.offset(of: field)
        return builder.fieldWire("\(name)_\(field.name)", bits.bits(lo + field.bits - 1, lo))
    }

    /// Element `index` of an array field.
    public subscript(_ field: Layout.Field, _ index: Int) -> Value {
        let lo = layout.offset(of: field, index)
        return builder.fieldWire("\(name)_\(field.name)_\(index)", bits.bits(lo + field.width - 1, lo))
    }
}

extension ModuleBuilder {
    /// Reads `value` through `layout`; field wires are named `<name>_<field>`.
    public func view(_ value: Value, as layout: Layout, name: String,
                     file: StaticString = #fileID, line: UInt = #line) -> LayoutValue {
        checkOperand(value, width: layout.width, what: "value viewed as \(layout.name)", at: SourceLocation(file, line))
        return LayoutValue(layout: layout, bits: value, builder: self, name: name)
    }

    /// Packs `fields` into `layout`'s bits. Every field of the layout must be given once, with its width
    /// (an array field as all its elements, element 0 lowest); anything else is an elaboration error.
    public func pack(_ layout: Layout, _ fields: [Layout.Field: Value],
                     file: StaticString = #fileID, line: UInt = #line) -> Value {
        let loc = SourceLocation(file, line)
        for given in fields.keys where !layout.contains(given) {
            issue(.badParameter, "pack of \(layout.name) at \(loc): the layout has no field '\(given.name)'")
        }
        var parts: [Value] = []
        for f in layout.fields {
            guard let v = fields[f] else {
                issue(.badParameter, "pack of \(layout.name) at \(loc): field '\(f.name)' not given")
                return Value.invalid("pack of \(layout.name) lacks '\(f.name)'")
            }
            checkOperand(v, width: f.bits, what: "field '\(f.name)' of \(layout.name)", at: loc)
            parts.append(v)
        }
        return concat(parts.reversed())
    }

    /// A register of `layout`, its fields readable by name (`<name>_<field>` wires).
    public func reg(_ name: String, layout: Layout, reset: UInt64? = nil, enable: Value? = nil,
                    file: StaticString = #fileID, line: UInt = #line) -> LayoutValue {
        view(reg(name, layout.width, reset: reset, enable: enable, file: file, line: line), as: layout, name: name,
             file: file, line: line)
    }

    /// A register that takes the packed `next` every clock (or when enabled), read through `layout`.
    public func regNext(_ name: String, _ next: LayoutValue, reset: UInt64? = nil, enable: Value? = nil,
                        file: StaticString = #fileID, line: UInt = #line) -> LayoutValue {
        view(regNext(name, next.bits, reset: reset, enable: enable, file: file, line: line), as: next.layout,
             name: name, file: file, line: line)
    }

    /// A wire for a field slice, made once per name (reading a field twice gives the same wire).
    func fieldWire(_ name: String, _ value: Value) -> Value {
        if let existing = fieldWires[name] { return existing }
        let w = namedAtTop(name, value, at: location)
        fieldWires[name] = w
        return w
    }
}
