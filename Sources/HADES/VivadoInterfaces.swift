import HDL

/// Vivado IP-packager metadata on the verifier's ports, as Verilog-2001 attributes: X_INTERFACE_INFO maps each
/// AXI4-Stream port to its bus interface (named after the port prefix, e.g. `s_axis_cmd`) and marks `aclk` and
/// `aresetn`; X_INTERFACE_PARAMETER associates every stream and the reset with the clock and gives the reset's
/// polarity. Other tools ignore the attributes. (Vivado itself was not run on them here.)
enum VivadoInterfaces {
    /// `streams`: port prefix and whether the stream has `tlast`; `s_axis_*` are inputs, `m_axis_*` outputs.
    static func annotate(_ m: ModuleBuilder, streams: [(prefix: String, hasLast: Bool)]) {
        m.attribute(port: PortInfo.clockName, "X_INTERFACE_INFO", "xilinx.com:signal:clock:1.0 \(PortInfo.clockName) CLK")
        m.attribute(port: PortInfo.clockName, "X_INTERFACE_PARAMETER",
                    "ASSOCIATED_BUSIF \(streams.map(\.prefix).joined(separator: ":")), ASSOCIATED_RESET \(PortInfo.resetName)")
        m.attribute(port: PortInfo.resetName, "X_INTERFACE_INFO", "xilinx.com:signal:reset:1.0 \(PortInfo.resetName) RST")
        m.attribute(port: PortInfo.resetName, "X_INTERFACE_PARAMETER", "POLARITY ACTIVE_LOW")
        for s in streams {
            for signal in ["tvalid", "tready", "tdata"] + (s.hasLast ? ["tlast"] : []) {
                m.attribute(port: "\(s.prefix)_\(signal)", "X_INTERFACE_INFO",
                            "xilinx.com:interface:axis:1.0 \(s.prefix) \(signal.uppercased())")
            }
        }
    }
}
