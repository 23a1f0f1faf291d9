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

    /// `verilator --lint-only -Wall` (plus `extraFlags`, e.g. a DECLFILENAME waiver for one-file output).
    /// Returns the warnings text; empty means clean.
    public static func verilatorLint(_ files: [(name: String, text: String)], top: String,
                                     extraFlags: [String] = []) throws -> String {
        let dir = try writeTemporary(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run("verilator", ["--lint-only", "-Wall", "--top-module", top] + extraFlags + files.map(\.name), in: dir)
        return r.status == 0 && r.combined.isEmpty ? "" : r.combined + (r.status == 0 ? "" : "\n(exit \(r.status))")
    }

    /// `iverilog -g2005` compile; returns diagnostics, empty means clean.
    public static func iverilogCheck(_ files: [(name: String, text: String)], top: String) throws -> String {
        let dir = try writeTemporary(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run("iverilog", ["-g2005", "-Wall", "-s", top, "-o", "/dev/null"] + files.map(\.name), in: dir)
        return r.status == 0 && r.combined.isEmpty ? "" : r.combined + (r.status == 0 ? "" : "\n(exit \(r.status))")
    }

    /// Yosys generic `synth`; returns the number of latch cells and the statistics text.
    public static func yosysSynth(_ files: [(name: String, text: String)], top: String) throws -> (latches: Int, log: String) {
        let dir = try writeTemporary(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = "read_verilog \(files.map(\.name).joined(separator: " ")); synth -top \(top); "
            + "select -count t:$dlatch t:$_DLATCH_* t:$adlatch t:$_DLATCHSR_*; stat"
        let full = try run("yosys", ["-p", script], in: dir)
        guard full.status == 0 else { throw ToolError(description: "yosys failed:\n" + full.combined.suffix(3000)) }
        var latches = -1
        for line in full.stdout.split(separator: "\n") where line.contains("objects.") {
            // "N objects." printed by `select -count`
            if let n = line.split(separator: " ").compactMap({ Int($0) }).first { latches = n }
        }
        return (latches, full.stdout)
    }

    /// Latches Yosys infers (`proc` is the pass that creates them; full synthesis adds none), without the cost of
    /// synthesizing wide multipliers. Returns the latch count.
    public static func yosysLatchCount(_ files: [(name: String, text: String)], top: String) throws -> Int {
        let dir = try writeTemporary(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = "read_verilog \(files.map(\.name).joined(separator: " ")); hierarchy -top \(top); proc; flatten; "
            + "select -count t:$dlatch t:$adlatch t:$dlatchsr"
        let r = try run("yosys", ["-p", script], in: dir)
        guard r.status == 0 else { throw ToolError(description: "yosys failed:\n" + r.combined.suffix(3000)) }
        guard let line = r.stdout.split(separator: "\n").last(where: { $0.contains("objects.") }),
              let n = line.split(separator: " ").compactMap({ Int($0) }).first else {
            throw ToolError(description: "yosys printed no selection count")
        }
        return n
    }
}
