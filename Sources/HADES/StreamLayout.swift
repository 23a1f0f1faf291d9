import Golden

/// One field of a stream payload: `count` entries of `width` bits, entry i at `offset + i·stride`.
public struct LayoutField: Equatable {
    public let name: String
    public let offset: Int
    public let width: Int
    public let count: Int
    public let stride: Int

    public init(_ name: String, offset: Int, width: Int, count: Int = 1, stride: Int? = nil) {
        self.name = name; self.offset = offset; self.width = width; self.count = count; self.stride = stride ?? width
    }

    /// One past the highest bit the field uses.
    public var end: Int { offset + (count - 1) * stride + width }
}

/// The TDATA layout of one AXI4-Stream port: its fields, the bits they use, the byte-aligned TDATA width.
public struct StreamLayout: Equatable {
    public let port: String
    public let fields: [LayoutField]
    public let tdataBits: Int
    public var usedBits: Int { fields.map(\.end).max() ?? 0 }

    init(_ port: String, _ fields: [LayoutField]) {
        self.port = port
        self.fields = fields
        tdataBits = VerifierInterface.byteAligned(fields.map(\.end).max() ?? 0)
    }

    /// One line for a generated file's header, e.g. `s_axis_cmd_tdata[15:0]: gamma [1:0]; … padding [15:14]`.
    public var summary: String {
        var parts = fields.map { f -> String in
            if f.count > 1 {
                return "\(f.name)[i] [\(f.offset == 0 ? "" : "\(f.offset) + ")\(f.stride)*i +: \(f.width)], i < \(f.count)"
            }
            return f.width == 1 ? "\(f.name) [\(f.offset)]" : "\(f.name) [\(f.end - 1):\(f.offset)]"
        }
        if usedBits < tdataBits { parts.append("zero padding [\(tdataBits - 1):\(usedBits)]") }
        return "\(port)[\(tdataBits - 1):0]: " + parts.joined(separator: "; ")
    }
}

extension VerifierInterface {
    static let layoutNote = "TDATA layouts (bit ranges; each port zero-padded on top to whole bytes, input padding ignored):"

    /// The command, logit, result and token layouts of the greedy unit.
    public var layouts: [StreamLayout] {
        [StreamLayout("s_axis_cmd_tdata", [LayoutField("gamma", offset: 0, width: gammaBits),
                                           LayoutField("draft_token", offset: gammaBits, width: tokenBits, count: config.gammaMax)]),
         logitLayout("s_axis_logits_tdata")] + outputLayouts
    }

    func logitLayout(_ port: String) -> StreamLayout {
        StreamLayout(port, [LayoutField("logit", offset: 0, width: config.format.bits, count: config.lanes)])
    }

    /// Result and tokens (the same in both modes). Flags: `ResultFlags.named` order, bad_draft lowest.
    var outputLayouts: [StreamLayout] {
        [StreamLayout("m_axis_result_tdata", [LayoutField("token", offset: 0, width: tokenBits),
                                              LayoutField("accepted", offset: tokenBits, width: gammaBits),
                                              LayoutField("rollback", offset: tokenBits + gammaBits, width: gammaBits),
                                              LayoutField("flags", offset: tokenBits + 2 * gammaBits, width: ResultFlags.bitCount)]),
         StreamLayout("m_axis_tokens_tdata", [LayoutField("token", offset: 0, width: tokenBits)])]
    }
}

extension SamplingInterface {
    /// The command, target logit, draft logit, result and token layouts of the sampling unit.
    public var layouts: [StreamLayout] {
        let c = config
        return [StreamLayout("s_axis_cmd_tdata", [
            LayoutField("gamma", offset: 0, width: c.gammaBits),
            LayoutField("draft_token", offset: c.gammaBits, width: c.tokenBits, count: c.gammaMax),
            LayoutField("uniform", offset: uniformOffset, width: 32, count: c.gammaMax + 1),
            LayoutField("one_hot", offset: oneHotBit, width: 1),
            LayoutField("generator", offset: generatorBit, width: 1),
        ]), greedy.logitLayout("s_axis_logits_tdata"), greedy.logitLayout("s_axis_draft_tdata")] + greedy.outputLayouts
    }
}
