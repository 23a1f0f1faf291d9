/// A named signal of a module: a port, wire, register, memory read port or the parent-side end of an
/// instance's port. Read it through `value`, drive it with `<==`.
public final class Signal {
    public enum Kind {
        case input, output, wire
        /// Clocked by `aclk`; `reset` (if any) is loaded while `aresetn` is low; `enable` gates every update.
        case register(reset: UInt64?, enable: ExprNode?)
        /// Synchronous read data of a memory.
        case memoryRead(Memory)
        /// What the parent drives into an instance's input port.
        case instanceInput(Instance, port: String)
        /// What an instance's output port drives in the parent.
        case instanceOutput(Instance, port: String)
    }

    public let name: String
    public let width: Int
    public let signed: Bool
    public let kind: Kind
    public let location: SourceLocation
    public unowned let module: ModuleBuilder
    /// Declaration order within the module (keeps emission deterministic).
    let index: Int

    init(name: String, width: Int, signed: Bool, kind: Kind, location: SourceLocation, module: ModuleBuilder, index: Int) {
        self.name = name
        self.width = width
        self.signed = signed
        self.kind = kind
        self.location = location
        self.module = module
        self.index = index
    }

    public var value: Value { Value(ExprNode(.ref(self), width: width, signed: signed)) }

    /// Driven by combinational logic of this module (so it must be assigned on every path).
    var isCombinational: Bool {
        switch kind {
        case .wire, .output, .instanceInput: return true
        default: return false
        }
    }

    var isRegister: Bool { if case .register = kind { return true } else { return false } }

    /// Driven by something other than this module's statements.
    var isDrivenElsewhere: Bool {
        switch kind {
        case .input, .memoryRead, .instanceOutput: return true
        default: return false
        }
    }

    var kindName: String {
        switch kind {
        case .input: return "input"
        case .output: return "output"
        case .wire: return "wire"
        case .register: return "register"
        case .memoryRead: return "memory read data"
        case let .instanceInput(inst, port): return "input '\(port)' of instance '\(inst.name)'"
        case let .instanceOutput(inst, port): return "output '\(port)' of instance '\(inst.name)'"
        }
    }

    /// "wire 'x' (8-bit unsigned, declared at File.swift:12)"
    var summary: String {
        "\(kindName) '\(name)' (\(width)-bit \(signed ? "signed" : "unsigned"), declared at \(location))"
    }
}

/// A block of statements: the body of a module, or of one branch of a `when` / `switch`.
final class Block {
    var statements: [Statement] = []
}

enum Statement {
    case connect(Signal, ExprNode)
    case when(WhenNode)
    case switchOn(SwitchNode)
}

final class WhenNode {
    let condition: ExprNode
    let location: SourceLocation
    let thenBlock = Block()
    var elseBlock: Block?
    init(condition: ExprNode, location: SourceLocation) {
        self.condition = condition
        self.location = location
    }
}

final class SwitchNode {
    let subject: ExprNode
    let location: SourceLocation
    var cases: [(values: [UInt64], block: Block)] = []
    var defaultBlock: Block?
    /// A look-up table that synthesis must build from logic, even where registers on both sides would let it
    /// become a block-RAM read port (emitted as Yosys's `rom_style = "logic"` attribute on the case).
    var romInLogic = false
    init(subject: ExprNode, location: SourceLocation) {
        self.subject = subject
        self.location = location
    }

    /// True when the cases list every value of the subject (so no default is needed).
    var listsEveryValue: Bool {
        subject.width < 20 && Set(cases.flatMap(\.values)).count == 1 << subject.width
    }
}

/// A synchronous-read memory (one write port, any number of read ports), written so that Yosys and Vivado
/// infer block RAM: no reset on the array, registered read data.
public final class Memory {
    public let name: String
    public let depth: Int
    public let width: Int
    public let location: SourceLocation
    /// The design never uses a read of a word in the clock it is written, so what such a read returns does not matter:
    /// emitted as Yosys's `no_rw_check` attribute, without which Yosys builds fabric logic for the old-data
    /// result wherever it cannot prove the enables exclusive (a register and a LUT on every read bit).
    public let readsNeverMeetWrites: Bool
    unowned let module: ModuleBuilder
    var writes: [(address: ExprNode, data: ExprNode, enable: ExprNode)] = []
    var reads: [(address: ExprNode, enable: ExprNode, data: Signal)] = []

    init(name: String, depth: Int, width: Int, readsNeverMeetWrites: Bool, location: SourceLocation,
         module: ModuleBuilder) {
        self.name = name
        self.depth = depth
        self.width = width
        self.readsNeverMeetWrites = readsNeverMeetWrites
        self.location = location
        self.module = module
    }

    public var addressWidth: Int { max(1, ceilLog2(depth)) }

    /// Writes `data` at `address` on the clock edge when `enable` is high.
    public func write(address: Value, data: Value, enable: Value) {
        module.checkOperand(address, width: addressWidth, what: "write address of memory '\(name)'", at: location)
        module.checkOperand(data, width: width, what: "write data of memory '\(name)'", at: location)
        module.checkOperand(enable, width: 1, what: "write enable of memory '\(name)'", at: location)
        writes.append((address.node, data.node, enable.node))
    }

    /// Registered read: the data at `address` appears one clock after `enable` is high, and holds otherwise.
    public func read(address: Value, enable: Value, name readName: String? = nil,
                     file: StaticString = #fileID, line: UInt = #line) -> Value {
        let loc = SourceLocation(file, line)
        module.checkOperand(address, width: addressWidth, what: "read address of memory '\(name)'", at: loc)
        module.checkOperand(enable, width: 1, what: "read enable of memory '\(name)'", at: loc)
        let data = module.declare(readName ?? "\(name)_rdata", width, signed: false, kind: .memoryRead(self), at: loc)
        reads.append((address.node, enable.node, data))
        return data.value
    }
}

/// An instance of another module inside this one. Its ports are signals of the parent: drive `input(…)`,
/// read `output(…)`.
public final class Instance {
    public let name: String
    public let module: Module
    public let location: SourceLocation
    var portSignals: [String: Signal] = [:]
    var orderedPorts: [(port: PortInfo, signal: Signal)] = []

    init(name: String, module: Module, location: SourceLocation) {
        self.name = name
        self.module = module
        self.location = location
    }

    /// The parent-side signal of port `name`; asking for a port the module lacks is a generator bug.
    public subscript(_ port: String) -> Value {
        guard let s = portSignals[port] else {
            preconditionFailure("module '\(module.name)' has no port '\(port)' (instance '\(name)' at \(location))")
        }
        return s.value
    }
}
