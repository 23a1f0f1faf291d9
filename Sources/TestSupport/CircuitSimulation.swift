import CoSim
import HDL
import VerilatorBridge

/// Port values by name (bit patterns, masked to the port width).
public typealias PortValues = [String: UInt64]

/// A Swift model of a sample circuit, compared with the Verilated RTL every cycle.
public protocol CircuitModel {
    /// Every output of the circuit for the current state and these inputs.
    func outputs(_ inputs: PortValues) -> PortValues
    /// One rising clock edge with these inputs; `reset` is true when `aresetn` is low.
    mutating func clock(_ inputs: PortValues, reset: Bool)
}

/// The low `width` bits of a (possibly negative) integer.
public func bits(_ value: Int, _ width: Int) -> UInt64 {
    width >= 64 ? UInt64(bitPattern: Int64(value)) : UInt64(bitPattern: Int64(value)) & ((1 << UInt64(width)) - 1)
}

/// The `width`-bit two's-complement value `raw`, as an Int.
public func signedValue(_ raw: UInt64, _ width: Int) -> Int {
    let shift = UInt64(64 - width)
    return Int(Int64(bitPattern: raw << shift) >> Int64(shift))
}

public enum Simulation {
    /// Drives `module` and `model` with the same seeded random stimulus for `cycles` cycles (after two reset
    /// cycles, and with `aresetn` also pulled low at random with probability `resetChance`), comparing every
    /// output every cycle, before each clock edge. Stops at the first cycle that differs. Returns the number of
    /// cycles compared; throws `Mismatch` at the first cycle that differs.
    @discardableResult
    public static func compare<M: CircuitModel>(_ module: Module, _ model: inout M, cycles: Int, seed: UInt64,
                                                resetChance: Double = 0.005,
                                                stimulus: (inout SplitMix64) -> PortValues) throws -> Int {
        let rtl = try VerilatedModel.build(module)
        let inputs = module.ports.filter { $0.direction == .input && $0.name != PortInfo.clockName
            && $0.name != PortInfo.resetName }
        let outputs = module.ports.filter { $0.direction == .output }
        let inputHandles = try inputs.map { try rtl.port($0.name) }
        let outputHandles = try outputs.map { try rtl.port($0.name) }
        let resetHandle = module.usesReset ? try rtl.port(PortInfo.resetName) : nil
        let zeros = PortValues(uniqueKeysWithValues: inputs.map { ($0.name, UInt64(0)) })
        var rng = SplitMix64(seed: seed)
        let resetCycles = 2
        for cycle in 0..<(resetCycles + cycles) {
            let applied = cycle < resetCycles ? zeros : stimulus(&rng)
            let reset = module.usesReset && (cycle < resetCycles || rng.chance(resetChance))
            guard Set(applied.keys) == Set(inputs.map(\.name)) else {
                throw Mismatch(description: "stimulus gives \(applied.keys.sorted()), the module has inputs \(inputs.map(\.name))")
            }
            for (port, handle) in zip(inputs, inputHandles) { try rtl.poke(handle, applied[port.name]!) }
            if let resetHandle { try rtl.poke(resetHandle, reset ? 0 : 1) }
            try rtl.eval()
            let expected = model.outputs(applied)
            guard Set(expected.keys) == Set(outputs.map(\.name)) else {
                throw Mismatch(description: "model gives \(expected.keys.sorted()), the module has outputs \(outputs.map(\.name))")
            }
            var differences: [String] = []
            for (port, handle) in zip(outputs, outputHandles) {
                let want = expected[port.name]! & (port.width >= 64 ? ~0 : (1 << UInt64(port.width)) - 1)
                let got = rtl.peek(handle)
                if got != want {
                    differences.append("\(port.name): RTL 0x\(String(got, radix: 16)), model 0x\(String(want, radix: 16))")
                }
            }
            if !differences.isEmpty {
                let shownInputs = applied.sorted { $0.key < $1.key }.map { "\($0.key)=0x\(String($0.value, radix: 16))" }
                throw Mismatch(description: "\(module.name), cycle \(cycle) (reset \(reset)), inputs "
                    + "\(shownInputs.joined(separator: " ")):\n  " + differences.joined(separator: "\n  "))
            }
            if module.usesClock { try rtl.step() }  // a combinational block has no clock to tick
            model.clock(applied, reset: reset)
        }
        return resetCycles + cycles
    }

    /// The first cycle where the RTL and the model differ.
    public struct Mismatch: Error, CustomStringConvertible {
        public let description: String
    }
}
