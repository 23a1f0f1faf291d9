/// The checks every module passes before it can be emitted: widths, drivers, latches, loops, connections.
enum Checks {
    struct Result {
        var issues: [ElaborationIssue]
        var combinationalPaths: [String: Set<String>]
    }

    static func run(_ m: ModuleBuilder) -> Result {
        var issues = m.immediateIssues
        func report(_ kind: ElaborationIssue.Kind, _ message: String) {
            issues.append(ElaborationIssue(kind: kind, module: m.name, message: message))
        }

        checkNames(m, report)

        // Walk every statement once: widths, illegal targets, drivers per scope, dependencies of each driven signal.
        var driven: Set<ObjectIdentifier> = []
        var deps: [ObjectIdentifier: [ObjectIdentifier: Signal]] = [:]
        func walk(_ block: Block, conditions: [ExprNode]) {
            var drivenHere: Set<ObjectIdentifier> = []
            for statement in block.statements {
                switch statement {
                case let .connect(target, source):
                    let id = ObjectIdentifier(target)
                    if target.isDrivenElsewhere {
                        report(.illegalAssignment, "\(target.summary) cannot be driven by this module")
                        continue
                    }
                    if let (kind, message) = source.firstInvalidIssue {
                        report(kind, "value driving \(target.summary): \(message)")
                    } else if source.width != target.width || source.signed != target.signed {
                        report(.widthMismatch, "\(target.summary) is driven by a \(source.width)-bit "
                            + "\(source.signed ? "signed" : "unsigned") value; resize explicitly")
                    }
                    if drivenHere.contains(id) {
                        report(.multipleDrivers, "\(target.summary) is driven twice in the same scope")
                    }
                    drivenHere.insert(id)
                    driven.insert(id)
                    var d = deps[id] ?? [:]
                    source.collectSignals(into: &d)
                    for c in conditions { c.collectSignals(into: &d) }
                    deps[id] = d
                case let .when(node):
                    // An ill-formed condition was already reported by `when` (ModuleBuilder.checkOperand).
                    walk(node.thenBlock, conditions: conditions + [node.condition])
                    if let e = node.elseBlock { walk(e, conditions: conditions + [node.condition]) }
                case let .switchOn(node):
                    for c in node.cases { walk(c.block, conditions: conditions + [node.subject]) }
                    if let d = node.defaultBlock { walk(d, conditions: conditions + [node.subject]) }
                }
            }
        }
        walk(m.body, conditions: [])

        for s in m.signals where !s.isDrivenElsewhere && !driven.contains(ObjectIdentifier(s)) {
            switch s.kind {
            case .output, .instanceInput:
                report(.unconnectedOutput, "\(s.summary) is not connected")
            default:
                report(.undriven, "\(s.summary) is never driven")
            }
        }

        for s in m.signals where s.isCombinational && driven.contains(ObjectIdentifier(s)) {
            if !assignsOnEveryPath(m.body, s) {
                report(.latch, "\(s.summary) is not assigned on every path (would infer a latch); "
                    + "assign a default first or add an otherwise/default branch")
            }
        }

        let graph = dependencyGraph(m, deps: deps)
        if let loop = findLoop(m, graph) {
            report(.combinationalLoop, loop.map { "'\($0.name)' (\($0.location))" }.joined(separator: " -> "))
            return Result(issues: issues, combinationalPaths: [:])
        }
        return Result(issues: issues, combinationalPaths: combinationalPaths(m, graph))
    }

    private static let identifier = #/^[A-Za-z][A-Za-z0-9_]*$/#

    private static func checkNames(_ m: ModuleBuilder, _ report: (ElaborationIssue.Kind, String) -> Void) {
        if m.name.wholeMatch(of: identifier) == nil || m.name.contains("__") || VerilogKeywords.all.contains(m.name) {
            report(.badName, "module name '\(m.name)' (at \(m.location)) is not a plain Verilog identifier")
        }
        var portNames: Set<String> = []
        for s in m.signals {
            switch s.kind {
            case .input, .output: checkPortName(s, &portNames, report)
            default: break
            }
        }
        var instanceNames: Set<String> = []
        for inst in m.instances {
            if inst.name.wholeMatch(of: identifier) == nil || inst.name.contains("__")
                || VerilogKeywords.all.contains(inst.name) || !instanceNames.insert(inst.name).inserted {
                report(.badName, "instance name '\(inst.name)' (at \(inst.location)) is not a unique plain identifier")
            }
        }
    }

    private static func checkPortName(_ s: Signal, _ names: inout Set<String>,
                                      _ report: (ElaborationIssue.Kind, String) -> Void) {
        // Ports keep their names exactly (other tools script them), so a bad one is an error, not a rename.
        if s.name.wholeMatch(of: identifier) == nil || s.name.contains("__") || VerilogKeywords.all.contains(s.name)
            || s.name == PortInfo.clockName || s.name == PortInfo.resetName {
            report(.badName, "port name '\(s.name)' (\(s.location)) must be a plain identifier, not a keyword, "
                + "'aclk' or 'aresetn', and without '__'")
        } else if !names.insert(s.name).inserted {
            report(.badName, "port name '\(s.name)' (\(s.location)) is used twice")
        }
    }

    /// True when every path through `block` assigns `s` (the condition for no latch).
    private static func assignsOnEveryPath(_ block: Block, _ s: Signal) -> Bool {
        for statement in block.statements {
            switch statement {
            case let .connect(target, _):
                if target === s { return true }
            case let .when(node):
                if let e = node.elseBlock, assignsOnEveryPath(node.thenBlock, s), assignsOnEveryPath(e, s) { return true }
            case let .switchOn(node):
                let covered: Bool
                if let d = node.defaultBlock {
                    covered = assignsOnEveryPath(d, s)
                } else {
                    covered = node.listsEveryValue
                }
                if covered, node.cases.allSatisfy({ assignsOnEveryPath($0.block, s) }) { return true }
            }
        }
        return false
    }

    /// Edges from each combinationally driven signal to what it reads without a register in between.
    /// An instance's output depends on the instance inputs its module connects to it combinationally.
    private static func dependencyGraph(_ m: ModuleBuilder, deps: [ObjectIdentifier: [ObjectIdentifier: Signal]])
        -> [ObjectIdentifier: [Signal]] {
        var graph: [ObjectIdentifier: [Signal]] = [:]
        for s in m.signals where s.isCombinational {
            graph[ObjectIdentifier(s)] = (deps[ObjectIdentifier(s)] ?? [:]).values.sorted { $0.index < $1.index }
        }
        for inst in m.instances {
            for (port, signal) in inst.orderedPorts where port.direction == .output {
                let sources = inst.module.combinationalPaths[port.name] ?? []
                graph[ObjectIdentifier(signal)] = inst.orderedPorts
                    .filter { sources.contains($0.port.name) }.map(\.signal)
            }
        }
        return graph
    }

    private static func findLoop(_ m: ModuleBuilder, _ graph: [ObjectIdentifier: [Signal]]) -> [Signal]? {
        var state: [ObjectIdentifier: Int] = [:]  // 1 = on the stack, 2 = done
        var stack: [Signal] = []
        func visit(_ s: Signal) -> [Signal]? {
            let id = ObjectIdentifier(s)
            if state[id] == 2 { return nil }
            if state[id] == 1 {
                let start = stack.firstIndex { $0 === s }!
                return Array(stack[start...]) + [s]
            }
            state[id] = 1
            stack.append(s)
            for next in graph[id] ?? [] { if let loop = visit(next) { return loop } }
            stack.removeLast()
            state[id] = 2
            return nil
        }
        for s in m.signals { if let loop = visit(s) { return loop } }
        return nil
    }

    private static func combinationalPaths(_ m: ModuleBuilder, _ graph: [ObjectIdentifier: [Signal]]) -> [String: Set<String>] {
        var memo: [ObjectIdentifier: Set<String>] = [:]
        func inputsReaching(_ s: Signal) -> Set<String> {
            if case .input = s.kind { return [s.name] }
            if let known = memo[ObjectIdentifier(s)] { return known }
            var result: Set<String> = []
            for d in graph[ObjectIdentifier(s)] ?? [] { result.formUnion(inputsReaching(d)) }
            memo[ObjectIdentifier(s)] = result
            return result
        }
        var paths: [String: Set<String>] = [:]
        for s in m.signals { if case .output = s.kind { paths[s.name] = inputsReaching(s) } }
        return paths
    }
}
