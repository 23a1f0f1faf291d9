import HDL

/// An a·b with its operands and its product registered inside, the shape of a DSP block using its input and output
/// registers: the product is valid `latency` clocks after a and b. b is unsigned; a is unsigned, or signed
/// (two's complement, `signedA`), in which case the product is the signed a·b in a.width + b.width bits.
///
/// The Verilog is generic (registers and `*`). Yosys maps `*` to an ECP5 MULT18X18D without the block's own
/// registers, so every product was a fabric register → DSP → fabric register path of about 10 ns (3.9 ns in the
/// DSP, the rest routing to and from the DSP column); `tools/synth.py` therefore maps this module to one MULT18X18D
/// with REG_INPUTA/B and REG_OUTPUT for place and route (`tools/ecp5_dsp.py`), as a vendor flow would. Wider
/// operands (fixed formats above 18 bits) keep the generic module.
enum RegisteredProduct {
    struct Ports { let a, b, product: Value }

    static let latency = 2

    static func name(_ aBits: Int, _ bBits: Int, signedA: Bool) -> String {
        "hades_mul_\(signedA ? "s" : "u")\(aBits)_u\(bBits)"
    }

    static func module(_ aBits: Int, _ bBits: Int, signedA: Bool) throws -> Submodule<Ports> {
        let doc = signedA ? "signed a · unsigned b, operands and product registered (a DSP block's registers)"
                          : "unsigned a·b, operands and product registered (a DSP block's registers)"
        return try Module.submodule(name(aBits, bBits, signedA: signedA), doc: [doc]) { m in
            let a = m.input("a", aBits), b = m.input("b", bBits)
            let p = m.output("p", aBits + bBits)
            let aq = m.regNext("a_q", a), bq = m.regNext("b_q", b)
            // Signed: b gains a 0 sign bit, and |a·b| < 2^(A−1+B) fits the A + B bits kept.
            let product = signedA ? (aq.asSigned * bq.zeroExtended(to: bBits + 1).asSigned).bits(aBits + bBits - 1, 0).asUnsigned
                                  : aq * bq
            p <== m.regNext("p_q", product)
            return Ports(a: a, b: b, product: p)
        }
    }

    /// The product modules of one unit, one per operand widths and signedness, built on first use.
    final class Library {
        private var modules: [String: Submodule<Ports>] = [:]

        /// a·b through an instance `u_<name>`, valid `latency` clocks after a and b; with `signedA` a is read as
        /// two's complement and the product's bits are the signed a·b.
        func product(_ m: ModuleBuilder, _ name: String, _ a: Value, _ b: Value, signedA: Bool = false) throws -> Value {
            let key = RegisteredProduct.name(a.width, b.width, signedA: signedA)
            let sub = try modules[key] ?? RegisteredProduct.module(a.width, b.width, signedA: signedA)
            modules[key] = sub
            let instance = m.instance(sub, name: "u_\(name)")
            instance.a <== a.asUnsigned
            instance.b <== b
            return signedA ? instance.product.asSigned : instance.product
        }
    }
}
