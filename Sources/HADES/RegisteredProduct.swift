import HDL

/// An unsigned a·b with its operands and its product registered inside, the shape of a DSP block using its input
/// and output registers: the product is valid `latency` clocks after a and b.
///
/// The Verilog is generic (registers and `*`). Yosys maps `*` to an ECP5 MULT18X18D without the block's own
/// registers, so every product was a fabric register → DSP → fabric register path of about 10 ns (3.9 ns in the
/// DSP, the rest routing to and from the DSP column); `tools/synth.py` therefore maps this module to one MULT18X18D
/// with REG_INPUTA/B and REG_OUTPUT for place and route (`tools/ecp5_dsp.py`), as a vendor flow would. Wider
/// operands (fixed formats above 18 bits) keep the generic module.
enum RegisteredProduct {
    struct Ports { let a, b, product: Value }

    static let latency = 2

    static func name(_ aBits: Int, _ bBits: Int) -> String { "hades_mul_u\(aBits)_u\(bBits)" }

    static func module(_ aBits: Int, _ bBits: Int) throws -> Submodule<Ports> {
        return try Module.submodule(name(aBits, bBits), doc: ["unsigned a·b, operands and product registered (a DSP block's registers)"]) { m in
            let a = m.input("a", aBits), b = m.input("b", bBits)
            let p = m.output("p", aBits + bBits)
            p <== m.regNext("p_q", m.regNext("a_q", a) * m.regNext("b_q", b))
            return Ports(a: a, b: b, product: p)
        }
    }

    /// The product modules of one unit, one per operand widths, built on first use.
    final class Library {
        private var modules: [String: Submodule<Ports>] = [:]

        /// a·b through an instance `u_<name>`, valid `latency` clocks after a and b.
        func product(_ m: ModuleBuilder, _ name: String, _ a: Value, _ b: Value) throws -> Value {
            let key = Self.key(a.width, b.width)
            let sub = try modules[key] ?? RegisteredProduct.module(a.width, b.width)
            modules[key] = sub
            let instance = m.instance(sub, name: "u_\(name)")
            instance.a <== a
            instance.b <== b
            return instance.product
        }

        private static func key(_ a: Int, _ b: Int) -> String { "\(a)x\(b)" }
    }
}
