import HDL
import VerilatorBridge

extension VerilatedModel {
    /// Builds an elaborated module (its top and every submodule) into a cached Verilator model with the module's
    /// ports.
    public static func build(_ module: Module, waves: Bool = false) throws -> VerilatedModel {
        let files = VerilogEmitter.emitFiles(module)
        let ports = module.ports.map { PortSpec($0.name, width: $0.width, $0.direction == .input ? .input : .output) }
        return try build(VerilogDesign(files: Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.text) }),
                                       top: module.name, ports: ports,
                                       clock: module.usesClock ? PortInfo.clockName : nil), waves: waves)
    }
}
