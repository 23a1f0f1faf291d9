/// An elaborated module with its ports as Swift values: `Ports` is whatever the module's description returned
/// (a struct of its port `Value`s and streams). Instantiate it with `ModuleBuilder.instance(_:name:)` and reach
/// the instance's ports through the same key paths, so a wrong port name is a compile error.
public struct Submodule<Ports> {
    public let module: Module
    public let ports: Ports
}

extension Module {
    /// `Module.build` whose description returns its ports.
    public static func submodule<Ports>(_ name: String, parameters: [(String, String)] = [], doc: [String] = [],
                                        file: StaticString = #fileID, line: UInt = #line,
                                        _ body: (ModuleBuilder) throws -> Ports) throws -> Submodule<Ports> {
        var ports: Ports?
        let module = try build(name, parameters: parameters, doc: doc, file: file, line: line) { ports = try body($0) }
        return Submodule(module: module, ports: ports!)
    }
}

/// An instance of a `Submodule`: `fifo.push <== x`, `let full = fifo.full`, `out.drive(from: fifo.output)`.
@dynamicMemberLookup
public struct InstanceOf<Ports> {
    public let instance: Instance
    let ports: Ports

    /// The parent-side signal of a port (drive an input, read an output).
    public subscript(dynamicMember port: KeyPath<Ports, Value>) -> Value { instance[ports[keyPath: port]] }

    /// A group of ports (e.g. one per bank).
    public subscript(dynamicMember port: KeyPath<Ports, [Value]>) -> [Value] { ports[keyPath: port].map { instance[$0] } }

    /// An optional port (one that only some configurations of the submodule declare).
    public subscript(dynamicMember port: KeyPath<Ports, Value?>) -> Value? { ports[keyPath: port].map { instance[$0] } }

    /// A stream of the submodule: from the parent, drive what the submodule reads (an input stream's valid, data
    /// and last; an output stream's ready) and read the rest.
    public subscript<Direction>(dynamicMember port: KeyPath<Ports, Stream<Direction>>) -> Stream<Direction> {
        ports[keyPath: port].map { instance[$0] }
    }
}

extension Instance {
    /// The parent-side signal of the port that `childPort` (a port value of the instantiated module) declares.
    public subscript(_ childPort: Value) -> Value {
        guard let name = childPort.signal?.name else {
            preconditionFailure("instance '\(self.name)': a port must be a port value of '\(module.name)'")
        }
        return self[name]
    }
}

extension ModuleBuilder {
    public func instance<Ports>(_ sub: Submodule<Ports>, name: String,
                                file: StaticString = #fileID, line: UInt = #line) -> InstanceOf<Ports> {
        InstanceOf(instance: instance(sub.module, name: name, file: file, line: line), ports: sub.ports)
    }
}
