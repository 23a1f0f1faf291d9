/// A port of an elaborated module, as the emitter writes it and the Verilator bridge drives it.
public struct PortInfo: Hashable, Sendable {
    public enum Direction: String, Sendable { case input, output }
    public let name: String
    public let width: Int
    public let signed: Bool
    public let direction: Direction
    public let location: SourceLocation?

    public static let clockName = "aclk"
    public static let resetName = "aresetn"
    var isClockOrReset: Bool { name == PortInfo.clockName || name == PortInfo.resetName }
}

/// An elaborated, checked module: the IR the emitter writes. Build one with `Module.build`.
public final class Module {
    public let name: String
    /// Elaboration-time parameters, for the header comment (e.g. ["gamma_max": "16"]).
    public let parameters: [(String, String)]
    public let doc: [String]
    public let location: SourceLocation
    /// Ports in emission order: `aclk`, `aresetn` (when used), then the declared ones.
    public let ports: [PortInfo]
    let builder: ModuleBuilder
    public let usesClock: Bool
    public let usesReset: Bool
    /// For each output, the inputs it depends on without a register in between.
    public let combinationalPaths: [String: Set<String>]

    /// Runs `body` to describe the module, then checks it. Throws `ElaborationError` listing every problem.
    public static func build(_ name: String, parameters: [(String, String)] = [], doc: [String] = [],
                             file: StaticString = #fileID, line: UInt = #line,
                             _ body: (ModuleBuilder) throws -> Void) throws -> Module {
        let loc = SourceLocation(file, line)
        let builder = ModuleBuilder(name: name, location: loc)
        try body(builder)
        let analysis = Checks.run(builder)
        if !analysis.issues.isEmpty { throw ElaborationError(issues: analysis.issues) }
        let module = Module(name: name, parameters: parameters, doc: doc, location: loc, builder: builder,
                            combinationalPaths: analysis.combinationalPaths)
        let unknown = builder.portAttributes.keys.filter { module.port($0) == nil }.sorted()
        if !unknown.isEmpty {
            throw ElaborationError(issues: unknown.map {
                ElaborationIssue(kind: .badName, module: name, message: "attribute on '\($0)', which is not a port of \(name)")
            })
        }
        return module
    }

    private init(name: String, parameters: [(String, String)], doc: [String], location: SourceLocation,
                 builder: ModuleBuilder, combinationalPaths: [String: Set<String>]) {
        self.name = name
        self.parameters = parameters
        self.doc = doc
        self.location = location
        self.builder = builder
        self.combinationalPaths = combinationalPaths
        let clockedHere = builder.signals.contains { $0.isRegister } || !builder.memories.isEmpty
        let childClock = builder.instances.contains { $0.module.usesClock }
        let resetHere = builder.signals.contains {
            if case let .register(reset, _) = $0.kind { return reset != nil }
            return false
        }
        let childReset = builder.instances.contains { $0.module.usesReset }
        usesClock = clockedHere || childClock
        usesReset = resetHere || childReset
        var ports: [PortInfo] = []
        if usesClock { ports.append(PortInfo(name: PortInfo.clockName, width: 1, signed: false, direction: .input, location: nil)) }
        if usesReset { ports.append(PortInfo(name: PortInfo.resetName, width: 1, signed: false, direction: .input, location: nil)) }
        for s in builder.signals {
            switch s.kind {
            case .input: ports.append(PortInfo(name: s.name, width: s.width, signed: s.signed, direction: .input, location: s.location))
            case .output: ports.append(PortInfo(name: s.name, width: s.width, signed: s.signed, direction: .output, location: s.location))
            default: break
            }
        }
        self.ports = ports
    }

    public func port(_ name: String) -> PortInfo? { ports.first { $0.name == name } }

    /// This module and every module it instantiates, children before parents, each once.
    public var hierarchy: [Module] {
        var seen: Set<String> = []
        var order: [Module] = []
        func visit(_ m: Module) {
            guard !seen.contains(m.name) else { return }
            seen.insert(m.name)
            for inst in m.builder.instances { visit(inst.module) }
            order.append(m)
        }
        visit(self)
        return order
    }
}

/// Module names encode their parameters: `moduleName("hades_verify", ("g", 16), ("v", 50257))` →
/// `hades_verify_g16_v50257`.
public func moduleName(_ base: String, _ parts: (String, CustomStringConvertible)...) -> String {
    ([base] + parts.map { "\($0.0)\($0.1)" }).joined(separator: "_")
}
