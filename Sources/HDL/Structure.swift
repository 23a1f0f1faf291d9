/// A coarse, deterministic picture of one elaborated module for block diagrams: its ports grouped by stream,
/// its registers grouped by name, its memories and instances, and which of these feed which (through
/// combinational logic only). Drawn by `tools/diagrams.py`, so the pictures follow the code.
public struct ModuleStructure: Codable, Equatable {
    public struct Node: Codable, Equatable {
        /// `port_in`, `port_out`, `register`, `memory` or `instance`.
        public let kind: String
        public let name: String
        /// Instance: the module's name; otherwise empty.
        public let module: String
        /// Signals in the group (registers, ports) or 1.
        public let count: Int
        /// Bits held (registers, memories, and everything below an instance) or carried (ports).
        public let bits: Int
        /// Register groups: registers with a reset value.
        public let resetCount: Int
    }

    public struct Edge: Codable, Equatable {
        public let from: String
        public let to: String
    }

    public let module: String
    public let nodes: [Node]
    public let edges: [Edge]
}

extension Module {
    /// Register and memory bits of this module and every instance below it.
    public var stateBits: Int {
        b.signals.filter(\.isRegister).map(\.width).reduce(0, +) + b.memories.map { $0.depth * $0.width }.reduce(0, +)
            + b.instances.map(\.module.stateBits).reduce(0, +)
    }

    private var b: ModuleBuilder { builder }

    public var structure: ModuleStructure {
        // Node of every signal that starts or ends a path; combinational signals have none.
        func portGroup(_ name: String) -> String {
            name.replacing(#/_t(valid|ready|data|last|user)$/#, with: "")
        }
        let registers = b.signals.filter(\.isRegister)
        func stem(_ name: String) -> String { name.replacing(#/_[0-9]+$/#, with: "") }
        var prefixUse: [String: Int] = [:]
        for r in registers { prefixUse[String(stem(r.name).split(separator: "_")[0]), default: 0] += 1 }
        func registerGroup(_ name: String) -> String {
            let prefix = String(stem(name).split(separator: "_")[0])
            return prefixUse[prefix]! > 1 ? prefix : stem(name)
        }
        // Numbered instances of one kind (u_exp_t0, u_exp_t1, …) are one node.
        func instanceGroup(_ name: String) -> String { name.replacing(#/[0-9]+$/#, with: "") }
        func node(of s: Signal) -> String? {
            switch s.kind {
            case .input: return "in:" + portGroup(s.name)
            case .output: return "out:" + portGroup(s.name)
            case .register: return "reg:" + registerGroup(s.name)
            case let .memoryRead(mem): return "mem:" + mem.name
            case let .instanceInput(inst, _), let .instanceOutput(inst, _): return "inst:" + instanceGroup(inst.name)
            case .wire: return nil
            }
        }

        // What each driven signal reads (its sources and the conditions it is assigned under).
        var deps: [ObjectIdentifier: [ObjectIdentifier: Signal]] = [:]
        func walk(_ block: Block, conditions: [ExprNode]) {
            for statement in block.statements {
                switch statement {
                case let .connect(target, source):
                    var d = deps[ObjectIdentifier(target)] ?? [:]
                    source.collectSignals(into: &d)
                    for c in conditions { c.collectSignals(into: &d) }
                    deps[ObjectIdentifier(target)] = d
                case let .when(n):
                    walk(n.thenBlock, conditions: conditions + [n.condition])
                    if let e = n.elseBlock { walk(e, conditions: conditions + [n.condition]) }
                case let .switchOn(n):
                    for c in n.cases { walk(c.block, conditions: conditions + [n.subject]) }
                    if let d = n.defaultBlock { walk(d, conditions: conditions + [n.subject]) }
                }
            }
        }
        walk(b.body, conditions: [])
        for s in b.signals {
            if case let .register(_, enable?) = s.kind { enable.collectSignals(into: &deps[ObjectIdentifier(s), default: [:]]) }
        }

        // Sources of a signal: through wires (combinational) back to nodes.
        var memo: [ObjectIdentifier: Set<String>] = [:]
        func sources(_ s: Signal) -> Set<String> {
            if s.isRegister || s.isDrivenElsewhere, let n = node(of: s) { return [n] }
            if let known = memo[ObjectIdentifier(s)] { return known }
            memo[ObjectIdentifier(s)] = []
            var result: Set<String> = []
            for d in (deps[ObjectIdentifier(s)] ?? [:]).values { result.formUnion(sources(d)) }
            memo[ObjectIdentifier(s)] = result
            return result
        }
        func reads(_ e: ExprNode) -> Set<String> {
            var d: [ObjectIdentifier: Signal] = [:]
            e.collectSignals(into: &d)
            return d.values.reduce(into: Set<String>()) { $0.formUnion(sources($1)) }
        }

        var edges: Set<[String]> = []
        for s in b.signals {
            let sink: String?
            switch s.kind {
            case .register, .output, .instanceInput: sink = node(of: s)
            default: sink = nil
            }
            guard let sink else { continue }
            for d in (deps[ObjectIdentifier(s)] ?? [:]).values { for src in sources(d) where src != sink { edges.insert([src, sink]) } }
        }
        for mem in b.memories {
            var feeds: Set<String> = []
            for w in mem.writes { feeds.formUnion(reads(w.address).union(reads(w.data)).union(reads(w.enable))) }
            for r in mem.reads { feeds.formUnion(reads(r.address).union(reads(r.enable))) }
            for src in feeds where src != "mem:" + mem.name { edges.insert([src, "mem:" + mem.name]) }
        }

        var nodes: [ModuleStructure.Node] = []
        var index: [String: Int] = [:]
        func add(_ id: String, kind: String, module: String = "", bits: Int, reset: Bool = false) {
            if let i = index[id] {
                let n = nodes[i]
                nodes[i] = .init(kind: n.kind, name: n.name, module: n.module, count: n.count + 1, bits: n.bits + bits,
                                 resetCount: n.resetCount + (reset ? 1 : 0))
            } else {
                index[id] = nodes.count
                nodes.append(.init(kind: kind, name: id, module: module, count: 1, bits: bits, resetCount: reset ? 1 : 0))
            }
        }
        for s in b.signals {
            guard let id = node(of: s) else { continue }
            switch s.kind {
            case .input: add(id, kind: "port_in", bits: s.width)
            case .output: add(id, kind: "port_out", bits: s.width)
            case let .register(reset, _): add(id, kind: "register", bits: s.width, reset: reset != nil)
            default: break
            }
        }
        for mem in b.memories { add("mem:" + mem.name, kind: "memory", bits: mem.depth * mem.width) }
        for inst in b.instances { add("inst:" + instanceGroup(inst.name), kind: "instance", module: inst.module.name, bits: inst.module.stateBits) }
        let known = Set(nodes.map(\.name))
        return ModuleStructure(module: name, nodes: nodes,
                               edges: edges.filter { known.contains($0[0]) && known.contains($0[1]) }
                                   .sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map { .init(from: $0[0], to: $0[1]) })
    }
}
