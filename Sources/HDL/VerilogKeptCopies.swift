import Foundation

/// Kept copies that synthesis would undo. Yosys's `opt_merge` does not merge two `(* keep *)` registers of the same
/// input, but it does merge a register that is not kept into a kept one of the same input: the kept register then
/// drives the other's loads too, and a copy placed beside its own loads is one again with a far fan-out (the sampling
/// unit's first exponential copies were merged so, found only because the flip-flop count did not move).
public enum KeptCopies {
    /// (kept, merged) for each register of `verilog` (`VerilogEmitter`'s output) whose `always` block is a kept
    /// register's up to the register's name, within one module, while it is not kept itself.
    public static func mergedIntoKept(_ verilog: String) -> [(kept: String, merged: String)] {
        var pairs: [(kept: String, merged: String)] = []
        for module in verilog.components(separatedBy: "\nmodule ") {
            var blocks: [String: (kept: [String], plain: [String])] = [:]
            var order: [String] = []
            let lines = module.components(separatedBy: "\n")
            var i = 0
            while i < lines.count {
                let kept = lines[i] == "    (* keep *)"
                let start = kept ? i + 1 : i
                guard start < lines.count, lines[start] == "    always @(posedge \(PortInfo.clockName)) begin" else { i += 1; continue }
                var end = start + 1
                while end < lines.count, lines[end] != "    end" { end += 1 }
                let body = lines[(start + 1)..<min(end, lines.count)].joined(separator: "\n")
                i = end + 1
                let targets = Set(body.components(separatedBy: "\n").compactMap(assignedName))
                guard targets.count == 1, let name = targets.first else { continue }
                let signature = replacingWord(name, in: body, with: "<self>")
                if blocks[signature] == nil { order.append(signature); blocks[signature] = ([], []) }
                if kept { blocks[signature]!.kept.append(name) } else { blocks[signature]!.plain.append(name) }
            }
            for signature in order {
                guard let group = blocks[signature], let first = group.kept.first else { continue }
                pairs += group.plain.map { (kept: first, merged: $0) }
            }
        }
        return pairs
    }

    /// `name` in a line `name <= …;` (a register's assignment; a memory's `name[…] <=` is not one).
    private static func assignedName(_ line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let range = trimmed.range(of: " <= ") else { return nil }
        let name = String(trimmed[..<range.lowerBound])
        return !name.isEmpty && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) ? name : nil
    }

    private static func replacingWord(_ word: String, in text: String, with replacement: String) -> String {
        let pattern = "\\b" + NSRegularExpression.escapedPattern(for: word) + "\\b"
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement)
    }
}
