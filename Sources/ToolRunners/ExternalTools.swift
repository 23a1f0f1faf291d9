import Basics
import Foundation

/// Runs the external tools that judge emitted Verilog: Verilator lint, Icarus Verilog, Yosys.
/// A missing tool is an error (callers must not treat it as a pass).
public enum ExternalTools {
    public struct ToolError: Error, CustomStringConvertible {
        public let description: String
    }

    public typealias Output = ProcessRunner.Output

    /// Runs `executable` (looked up in PATH) with `arguments` in `directory`.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Output {
        do {
            return try ProcessRunner.run(executable, arguments, in: directory)
        } catch let missing as ProcessRunner.NotFound {
            throw ToolError(description: missing.description)
        }
    }

    public static func which(_ executable: String) -> String? { ProcessRunner.which(executable) }

    /// Writes `files` into a fresh temporary directory and returns it.
    public static func writeTemporary(_ files: [(name: String, text: String)]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hades-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in files { try f.text.write(to: dir.appendingPathComponent(f.name), atomically: true, encoding: .utf8) }
        return dir
    }

    /// Writes `files` into a fresh temporary directory, runs `body` there and removes the directory.
    static func inTemporary<T>(_ files: [(name: String, text: String)], _ body: (URL) throws -> T) throws -> T {
        let dir = try writeTemporary(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }

    /// A checker's diagnostics: empty for a clean, silent run; else its output and a non-zero exit status.
    static func diagnostics(_ r: Output) -> String {
        r.status == 0 && r.combined.isEmpty ? "" : r.combined + (r.status == 0 ? "" : "\n(exit \(r.status))")
    }

    /// `verilator --lint-only -Wall` (plus `extraFlags`, e.g. a DECLFILENAME waiver for one-file output).
    /// Returns the warnings text; empty means clean.
    public static func verilatorLint(_ files: [(name: String, text: String)], top: String,
                                     extraFlags: [String] = []) throws -> String {
        try inTemporary(files) { dir in
            diagnostics(try run("verilator", ["--lint-only", "-Wall", "--top-module", top] + extraFlags + files.map(\.name), in: dir))
        }
    }

    /// `iverilog -g2005` compile; returns diagnostics, empty means clean.
    public static func iverilogCheck(_ files: [(name: String, text: String)], top: String) throws -> String {
        try inTemporary(files) { dir in
            diagnostics(try run("iverilog", ["-g2005", "-Wall", "-s", top, "-o", "/dev/null"] + files.map(\.name), in: dir))
        }
    }

    /// Yosys `commands` after reading `files`; its log and the count of the last `select -count` (nil if none).
    static func yosys(_ files: [(name: String, text: String)], _ commands: String) throws -> (log: String, selected: Int?) {
        try inTemporary(files) { dir in
            let r = try run("yosys", ["-p", "read_verilog \(files.map(\.name).joined(separator: " ")); " + commands], in: dir)
            guard r.status == 0 else { throw ToolError(description: "yosys failed:\n" + r.combined.suffix(3000)) }
            // "N objects." printed by `select -count`
            let line = r.stdout.split(separator: "\n").last { $0.contains("objects.") }
            return (r.stdout, line.flatMap { $0.split(separator: " ").compactMap { Int($0) }.first })
        }
    }

    /// Yosys generic `synth`; returns the number of latch cells (−1 if Yosys printed no count) and the statistics.
    public static func yosysSynth(_ files: [(name: String, text: String)], top: String) throws -> (latches: Int, log: String) {
        let r = try yosys(files, "synth -top \(top); select -count t:$dlatch t:$_DLATCH_* t:$adlatch t:$_DLATCHSR_*; stat")
        return (r.selected ?? -1, r.log)
    }

    /// Latches Yosys infers (`proc` is the pass that creates them; full synthesis adds none), without the cost of
    /// synthesizing wide multipliers. Returns the latch count.
    public static func yosysLatchCount(_ files: [(name: String, text: String)], top: String) throws -> Int {
        let r = try yosys(files, "hierarchy -top \(top); proc; flatten; select -count t:$dlatch t:$adlatch t:$dlatchsr")
        guard let n = r.selected else { throw ToolError(description: "yosys printed no selection count") }
        return n
    }
}
