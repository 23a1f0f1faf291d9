extension ModuleBuilder {
    /// `value` delayed by 1 … `stages` clocks: element i is the register `<name>_<i+1>` (i+1 clocks late).
    /// Registers follow the open enable scope and `enable`.
    public func shiftRegister(_ name: String, _ value: Value, stages: Int, reset: UInt64? = nil, enable: Value? = nil,
                              file: StaticString = #fileID, line: UInt = #line) -> [Value] {
        var out: [Value] = []
        var previous = value
        for i in 1...max(1, stages) {
            previous = regNext("\(name)_\(i)", previous, reset: reset, enable: enable, file: file, line: line)
            out.append(previous)
        }
        return out
    }

    /// A layout value carried along a pipeline: element i is `names[i]`, one register stage after element i−1
    /// (element 0 one stage after `value`). Each stage's fields read by name, e.g. `stages[2][valid]`.
    public func shiftRegister(_ names: [String], _ value: LayoutValue, reset: UInt64? = nil, enable: Value? = nil,
                              file: StaticString = #fileID, line: UInt = #line) -> [LayoutValue] {
        var out: [LayoutValue] = []
        var previous = value
        for name in names {
            previous = regNext(name, previous, reset: reset, enable: enable, file: file, line: line)
            out.append(previous)
        }
        return out
    }
}
