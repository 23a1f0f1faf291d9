/// Collects the signals and statements of one module while its Swift description runs.
/// Not thread-safe: elaborate one module per thread at a time.
public final class ModuleBuilder {
    public let name: String
    public let location: SourceLocation
    var signals: [Signal] = []
    var memories: [Memory] = []
    var instances: [Instance] = []
    let body = Block()
    private var scopes: [Block]
    /// Problems found while building (ill-formed operands of memories, instances, conditions).
    var immediateIssues: [ElaborationIssue] = []
    /// Field wires of layout views, by name (see `LayoutValue`).
    var fieldWires: [String: Value] = [:]
    /// Enables of the open `enabled(by:)` scopes, innermost last.
    var enables: [Value] = []
    /// Verilog-2001 attributes per port name (clock and reset included), in the order given.
    var portAttributes: [String: [(name: String, value: String)]] = [:]
    /// Registers whose `always` block carries `(* keep *)` (see `reg(_:_:keep:)`).
    var keptRegisters: Set<ObjectIdentifier> = []

    init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
        self.scopes = [body]
    }

    func declare(_ name: String, _ width: Int, signed: Bool, kind: Signal.Kind, at loc: SourceLocation) -> Signal {
        if width < 1 {
            issue(.badParameter, "\(name) declared at \(loc) has width \(width); widths start at 1")
        }
        let s = Signal(name: name, width: max(1, width), signed: signed, kind: kind, location: loc,
                       module: self, index: signals.count)
        signals.append(s)
        return s
    }

    func issue(_ kind: ElaborationIssue.Kind, _ message: String) {
        immediateIssues.append(ElaborationIssue(kind: kind, module: name, message: message))
    }

    func checkOperand(_ v: Value, width: Int, what: String, at loc: SourceLocation) {
        if let (kind, m) = v.node.firstInvalidIssue {
            issue(kind, "\(what) at \(loc): \(m)")
        } else if v.width != width {
            issue(.widthMismatch, "\(what) at \(loc) is \(v.width) bits, expected \(width)")
        }
    }

    /// Attaches `(* name = "value" *)` to a port (e.g. Vivado's X_INTERFACE_INFO); `aclk`/`aresetn` included.
    public func attribute(port: String, _ name: String, _ value: String) {
        if name.wholeMatch(of: #/[A-Za-z_][A-Za-z0-9_]*/#) == nil || value.contains("\"") || value.contains("\\") {
            issue(.badName, "attribute \(name) = \(value) on port '\(port)': needs an identifier and a value without quotes")
        }
        portAttributes[port, default: []].append((name, value))
    }

    // MARK: declarations

    public func input(_ name: String, _ width: Int, signed: Bool = false,
                      file: StaticString = #fileID, line: UInt = #line) -> Value {
        declare(name, width, signed: signed, kind: .input, at: SourceLocation(file, line)).value
    }

    public func output(_ name: String, _ width: Int, signed: Bool = false,
                       file: StaticString = #fileID, line: UInt = #line) -> Value {
        declare(name, width, signed: signed, kind: .output, at: SourceLocation(file, line)).value
    }

    public func wire(_ name: String, _ width: Int, signed: Bool = false,
                     file: StaticString = #fileID, line: UInt = #line) -> Value {
        declare(name, width, signed: signed, kind: .wire, at: SourceLocation(file, line)).value
    }

    /// A register clocked by `aclk`. With `reset`, it loads that value while `aresetn` is low (synchronous);
    /// without, it has no reset (cheaper datapath). With `enable`, it only updates when `enable` is high.
    /// Inside `enabled(by:)` the register also waits for that scope's enable.
    /// `keep`: `(* keep *)` on its `always` block, so synthesis (Yosys `opt_merge`) keeps it apart from registers
    /// of the same input, e.g. copies of a high-fanout enable that each drive a slice of the pipeline.
    public func reg(_ name: String, _ width: Int, signed: Bool = false, reset: UInt64? = nil, enable: Value? = nil,
                    keep: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Value {
        let loc = SourceLocation(file, line)
        var combined: Value? = nil
        for e in enables + (enable.map { [$0] } ?? []) { combined = combined.map { $0 & e } ?? e }
        let enable = combined
        if let e = enable { checkOperand(e, width: 1, what: "enable of register '\(name)'", at: loc) }
        if let r = reset, width < 64, r >> UInt64(width) != 0 {
            issue(.badParameter, "reset value \(r) of register '\(name)' at \(loc) does not fit in \(width) bits")
        }
        let s = declare(name, width, signed: signed, kind: .register(reset: reset, enable: enable?.node), at: loc)
        if keep { keptRegisters.insert(ObjectIdentifier(s)) }
        return s.value
    }

    /// A register that takes `next` every clock (or when `enable` is high).
    public func regNext(_ name: String, _ next: Value, reset: UInt64? = nil, enable: Value? = nil, keep: Bool = false,
                        file: StaticString = #fileID, line: UInt = #line) -> Value {
        let r = reg(name, next.width, signed: next.isSigned, reset: reset, enable: enable, keep: keep, file: file, line: line)
        r <== next
        return r
    }

    /// A wire driven by `value` (names an intermediate result in the output).
    public func named(_ name: String, _ value: Value, file: StaticString = #fileID, line: UInt = #line) -> Value {
        let w = wire(name, value.width, signed: value.isSigned, file: file, line: line)
        w <== value
        return w
    }

    public func wires(_ name: String, count: Int, _ width: Int, signed: Bool = false,
                      file: StaticString = #fileID, line: UInt = #line) -> [Value] {
        (0..<count).map { wire("\(name)_\($0)", width, signed: signed, file: file, line: line) }
    }

    public func regs(_ name: String, count: Int, _ width: Int, signed: Bool = false, reset: UInt64? = nil,
                     enable: Value? = nil, file: StaticString = #fileID, line: UInt = #line) -> [Value] {
        (0..<count).map { reg("\(name)_\($0)", width, signed: signed, reset: reset, enable: enable, file: file, line: line) }
    }

    /// `readsNeverMeetWrites`: see `Memory.readsNeverMeetWrites` (the caller's promise).
    public func memory(_ name: String, depth: Int, width: Int, readsNeverMeetWrites: Bool = false,
                       file: StaticString = #fileID, line: UInt = #line) -> Memory {
        let loc = SourceLocation(file, line)
        if depth < 2 { issue(.badParameter, "memory '\(name)' at \(loc) has depth \(depth); depth starts at 2") }
        let m = Memory(name: name, depth: max(2, depth), width: max(1, width), readsNeverMeetWrites: readsNeverMeetWrites,
                       location: loc, module: self)
        memories.append(m)
        return m
    }

    /// A combinational look-up table: `contents[address]`, 0 past the end. `inLogic`: synthesis builds it from
    /// LUTs even when its address and its output are registered (a small table read every clock in every lane
    /// would otherwise take a block RAM each).
    public func rom(_ name: String, contents: [UInt64], width: Int, address: Value, inLogic: Bool = false,
                    file: StaticString = #fileID, line: UInt = #line) -> Value {
        let out = wire(name, width, file: file, line: line)
        switchOn(address, file: file, line: line) { s in
            s.node.romInLogic = inLogic
            for (i, word) in contents.enumerated() {
                s.is(UInt64(i)) { out <== .literal(word, width: width) }
            }
            s.default { out <== .literal(0, width: width) }
        }
        return out
    }

    /// `values[index]` through a case statement (`values[0]` past the end).
    public func select(_ name: String, _ values: [Value], index: Value,
                       file: StaticString = #fileID, line: UInt = #line) -> Value {
        precondition(!values.isEmpty, "select '\(name)' from an empty array")
        let out = wire(name, values[0].width, signed: values[0].isSigned, file: file, line: line)
        switchOn(index, file: file, line: line) { s in
            for (i, v) in values.enumerated() { s.is(UInt64(i)) { out <== v } }
            s.default { out <== values[0] }
        }
        return out
    }

    public func instance(_ module: Module, name: String,
                         file: StaticString = #fileID, line: UInt = #line) -> Instance {
        let loc = SourceLocation(file, line)
        let inst = Instance(name: name, module: module, location: loc)
        for port in module.ports where !port.isClockOrReset {
            let kind: Signal.Kind = port.direction == .input
                ? .instanceInput(inst, port: port.name) : .instanceOutput(inst, port: port.name)
            let s = declare("\(name)_\(port.name)", port.width, signed: port.signed, kind: kind, at: loc)
            inst.portSignals[port.name] = s
            inst.orderedPorts.append((port, s))
        }
        instances.append(inst)
        return inst
    }

    // MARK: statements

    func connect(_ target: Signal, _ source: Value) {
        scopes[scopes.count - 1].statements.append(.connect(target, source.node))
    }

    /// A wire driven by `value` at module level, whatever `when` scope is open (for wires made on first use).
    func namedAtTop(_ name: String, _ value: Value, at loc: SourceLocation) -> Value {
        let w = declare(name, value.width, signed: value.isSigned, kind: .wire, at: loc)
        body.statements.append(.connect(w, value.node))
        return w.value
    }

    /// Every register declared in `body` (registers of `regNext`, `reg`, layouts, shift registers) updates only
    /// while `enable` is high, on top of its own enable: one pipeline's common stall written once.
    public func enabled<T>(by enable: Value, file: StaticString = #fileID, line: UInt = #line, _ body: () throws -> T) rethrows -> T {
        checkOperand(enable, width: 1, what: "enable scope", at: SourceLocation(file, line))
        enables.append(enable)
        defer { enables.removeLast() }
        return try body()
    }

    private func inScope(_ block: Block, _ body: () -> Void) {
        scopes.append(block)
        body()
        scopes.removeLast()
    }

    /// Statements in `body` take effect when `condition` (1 bit) is high. Chain `elseWhen` / `otherwise`.
    @discardableResult
    public func when(_ condition: Value, file: StaticString = #fileID, line: UInt = #line,
                     _ body: () -> Void) -> WhenChain {
        let loc = SourceLocation(file, line)
        checkOperand(condition, width: 1, what: "when condition", at: loc)
        let node = WhenNode(condition: condition.node, location: loc)
        scopes[scopes.count - 1].statements.append(.when(node))
        inScope(node.thenBlock, body)
        return WhenChain(builder: self, node: node)
    }

    public struct WhenChain {
        let builder: ModuleBuilder
        let node: WhenNode

        @discardableResult
        public func elseWhen(_ condition: Value, file: StaticString = #fileID, line: UInt = #line,
                             _ body: () -> Void) -> WhenChain {
            let elseBlock = Block()
            node.elseBlock = elseBlock
            builder.scopes.append(elseBlock)
            defer { builder.scopes.removeLast() }
            return builder.when(condition, file: file, line: line, body)
        }

        public func otherwise(_ body: () -> Void) {
            let elseBlock = Block()
            node.elseBlock = elseBlock
            builder.inScope(elseBlock, body)
        }
    }

    /// A `case` on `subject`: `s.is(3) { … }`, `s.default { … }`.
    public func switchOn(_ subject: Value, file: StaticString = #fileID, line: UInt = #line,
                         _ body: (SwitchCases) -> Void) {
        let loc = SourceLocation(file, line)
        if let (kind, m) = subject.node.firstInvalidIssue { issue(kind, "switch subject at \(loc): \(m)") }
        let node = SwitchNode(subject: subject.node, location: loc)
        scopes[scopes.count - 1].statements.append(.switchOn(node))
        body(SwitchCases(builder: self, node: node))
    }

    public struct SwitchCases {
        let builder: ModuleBuilder
        let node: SwitchNode

        public func `is`(_ values: UInt64..., body: () -> Void) {
            let width = node.subject.width
            for v in values where width < 64 && v >> UInt64(width) != 0 {
                builder.issue(.badExpression, "case value \(v) at \(node.location) does not fit the \(width)-bit subject")
            }
            let block = Block()
            node.cases.append((values, block))
            builder.inScope(block, body)
        }

        public func `default`(_ body: () -> Void) {
            let block = Block()
            node.defaultBlock = block
            builder.inScope(block, body)
        }
    }
}
