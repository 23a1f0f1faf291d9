import Golden

/// Protocol faults applied to well-formed scenarios.
public enum ProtocolFault {
    /// Re-frames row `row` (counted over the whole stream) to `beats` beats: fewer than B drops the row's tail
    /// (`tlast` early); more than B appends beats of `fill` codes (`tlast` late). Other rows are untouched.
    public static func resizeRow(_ scenario: StreamScenario, row: Int, beats: Int, fill: UInt32 = 0,
                                 config: VerifierConfig) -> StreamScenario {
        precondition(beats >= 1)
        let rows = scenario.rows
        let target = rows[row]
        var newRow = Array(target.beats.prefix(beats))
        for i in newRow.indices { newRow[i].last = false }
        while newRow.count < beats {
            newRow.append(LogitBeat(codes: Array(repeating: fill, count: config.lanes), last: false))
        }
        newRow[newRow.count - 1].last = true
        var out = scenario
        out.beats.replaceSubrange(target.start..<(target.start + target.beats.count), with: newRow)
        return out
    }
}
