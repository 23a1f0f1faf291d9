/// A state register whose states are a Swift enum: `m.stateMachine("state", Phase.self, initial: .idle)`, then
/// `fsm.is(.stream)` for a 1-bit test, `fsm.go(.wait)` to assign the next state, and `fsm.on { … }` for a
/// `case` with one branch per state. States are encoded by their position in `allCases`.
public struct StateMachine<State: CaseIterable & Equatable> {
    public let register: Value
    let builder: ModuleBuilder

    func code(_ s: State) -> Int { Array(State.allCases).firstIndex(of: s)! }

    /// 1 while the machine is in `state`.
    public func `is`(_ state: State) -> Value { register === code(state) }

    /// Moves to `state` on the next clock (in the current `when` scope).
    public func go(_ state: State) { register <== code(state) }

    /// A `case` on the state: `body(state)` describes what happens in each state (every state gets a branch).
    public func on(file: StaticString = #fileID, line: UInt = #line, _ body: (State) -> Void) {
        builder.switchOn(register, file: file, line: line) { cases in
            for s in State.allCases { cases.is(UInt64(code(s))) { body(s) } }
            if !cases.node.listsEveryValue { cases.default {} }
        }
    }
}

extension ModuleBuilder {
    public func stateMachine<State: CaseIterable & Equatable>(_ name: String, _ states: State.Type, initial: State,
                                                              file: StaticString = #fileID, line: UInt = #line)
        -> StateMachine<State> {
        let count = State.allCases.count
        let initialCode = Array(State.allCases).firstIndex(of: initial)!
        let r = reg(name, bitsToHold(max(1, count - 1)), reset: UInt64(initialCode), file: file, line: line)
        return StateMachine(register: r, builder: self)
    }
}
