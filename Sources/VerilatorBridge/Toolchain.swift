// Tools, paths and subprocesses used to build model libraries.

import Basics
import Foundation

extension VerilatorBridgeError: LocalizedError {
    public var errorDescription: String? { description }
}

/// Where things are: tools, the shim sources and the cache.
struct Toolchain {
    let verilator: String
    let verilatorRoot: String
    let verilatorVersion: String
    let cxx: String
    let cxxVersion: String
    let shimDir: String
    let cacheRoot: String

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: Toolchain?

    /// Discovers the toolchain once per process (a few tool invocations).
    static func current() throws -> Toolchain {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let env = ProcessInfo.processInfo.environment

        guard let verilator = findExecutable(env["HADES_VERILATOR"] ?? "verilator") else {
            throw VerilatorBridgeError.toolNotFound(
                "verilator is not on PATH (install it, e.g. `apt-get install verilator`, or set HADES_VERILATOR)")
        }
        let version = try Process.capture(verilator, ["--version"])
        guard version.status == 0 else {
            throw VerilatorBridgeError.buildFailed(stage: "verilator --version", command: verilator,
                                                   log: version.tail)
        }
        let rootResult = try Process.capture(verilator, ["--getenv", "VERILATOR_ROOT"])
        let root = rootResult.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard rootResult.status == 0, FileManager.default.fileExists(atPath: root + "/include/verilated.cpp") else {
            throw VerilatorBridgeError.toolNotFound(
                "cannot find the Verilator runtime sources (VERILATOR_ROOT='\(root)')")
        }

        var compilerCandidates: [String] = []
        if let c = env["HADES_CXX"], !c.isEmpty { compilerCandidates = [c] } else {
            compilerCandidates = ["/opt/swift/usr/bin/clang++"]
            // The clang++ next to the swift driver on PATH, then any clang++, then g++.
            if let swift = findExecutable("swift") {
                let dir = URL(fileURLWithPath: swift).resolvingSymlinksInPath().deletingLastPathComponent()
                compilerCandidates.append(dir.appendingPathComponent("clang++").path)
            }
            compilerCandidates += ["clang++", "g++"]
        }
        guard let cxx = compilerCandidates.lazy.compactMap({ findExecutable($0) }).first else {
            throw VerilatorBridgeError.toolNotFound(
                "no C++ compiler (tried \(compilerCandidates.joined(separator: ", ")); set HADES_CXX)")
        }
        let cxxVersion = try Process.capture(cxx, ["--version"])
        guard cxxVersion.status == 0 else {
            throw VerilatorBridgeError.buildFailed(stage: "\(cxx) --version", command: cxx, log: cxxVersion.tail)
        }

        let shimDir: String
        if let root = env["HADES_ROOT"], !root.isEmpty {
            shimDir = URL(fileURLWithPath: root).appendingPathComponent("verilator").path
        } else {
            // Sources/VerilatorBridge/Toolchain.swift -> ../../verilator
            shimDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("verilator").path
        }
        guard FileManager.default.fileExists(atPath: shimDir + "/hades_shim.cpp") else {
            throw VerilatorBridgeError.io("cannot find the shim sources at \(shimDir) (set HADES_ROOT to the repository root)")
        }

        let cacheRoot: String
        if let dir = env["HADES_CACHE_DIR"], !dir.isEmpty {
            cacheRoot = dir
        } else if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty {
            cacheRoot = xdg + "/hades"
        } else {
            cacheRoot = FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/hades"
        }

        let tc = Toolchain(verilator: verilator, verilatorRoot: root,
                           verilatorVersion: version.output.trimmingCharacters(in: .whitespacesAndNewlines),
                           cxx: cxx, cxxVersion: cxxVersion.output.trimmingCharacters(in: .whitespacesAndNewlines),
                           shimDir: shimDir, cacheRoot: cacheRoot)
        cached = tc
        return tc
    }

    /// Resolves a command name through PATH (or checks an explicit path).
    static func findExecutable(_ name: String) -> String? { ProcessRunner.which(name) }
}

struct ToolResult {
    var status: Int32
    var output: String
    /// The last lines of the output, for error messages.
    var tail: String { Self.tail(of: output) }

    static func tail(of text: String, maxLines: Int = 60, maxChars: Int = 6000) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > maxLines { lines = Array(lines.suffix(maxLines)) }
        var s = lines.joined(separator: "\n")
        if s.count > maxChars { s = String(s.suffix(maxChars)) }
        return s
    }
}

extension Process {
    /// Starts a tool with stdout+stderr going to `logPath`.
    static func start(_ executable: String, _ arguments: [String], cwd: String? = nil, logPath: String,
                      onExit: (@Sendable () -> Void)? = nil) throws -> Process
    {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw VerilatorBridgeError.io("cannot create \(logPath)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        if let onExit { p.terminationHandler = { _ in onExit() } }
        do {
            try p.run()
        } catch {
            try? log.close()
            throw VerilatorBridgeError.toolNotFound("cannot run \(executable): \(error)")
        }
        try? log.close()
        return p
    }

    /// Runs a tool to completion and returns its output (stdout, then stderr).
    static func capture(_ executable: String, _ arguments: [String], cwd: String? = nil) throws -> ToolResult {
        do {
            let r = try ProcessRunner.run(executable, arguments, in: cwd.map { URL(fileURLWithPath: $0) })
            return ToolResult(status: r.status, output: r.combined)
        } catch {
            throw VerilatorBridgeError.toolNotFound("cannot run \(executable): \(error)")
        }
    }
}

/// Shell-style quoting for command lines shown in error messages.
func shellQuote(_ args: [String]) -> String {
    args.map { a in
        a.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=+:,@".contains($0) }) && !a.isEmpty
            ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
}
