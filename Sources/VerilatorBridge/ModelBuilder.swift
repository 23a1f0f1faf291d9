// Builds model libraries: Verilog -> Verilator C++ -> libhades_model.so, cached on disk.
//
// Cache layout (root: $HADES_CACHE_DIR, else $XDG_CACHE_HOME/hades, else ~/.cache/hades):
//   runtime/core-<hash>/libhades_vlrt.a     verilated.cpp + verilated_threads.cpp   (built once)
//   runtime/fst-<hash>/libhades_vlfst.a     verilated_fst_c.cpp, for waves builds     (built once)
//   runtime/shim-{plain,fst}-<hash>/hades_shim.o   the design-independent shim     (built once)
//   runtime/pch-{plain,fst}-<hash>/verilated.pch   precompiled verilated.h, clang only (built once)
//   models/<top>-<hash>/libhades_model.so   one per design/configuration, plus its sources and logs
// Every entry is built in a private temporary directory and published with an atomic rename, so two
// processes may build the same entry at once: one rename wins, the other build is discarded.

import Foundation

struct BuiltModel {
    let key: String
    let libraryPath: String
    let directory: String
    let cacheHit: Bool
    let buildSeconds: Double
}

enum ModelBuilder {
    static let libraryName = "libhades_model.so"
    private static let shimFiles = ["hades_shim.cpp", "hades_shim.h", "hades_glue.h", "hades_hooks.h", "hades_model.cpp"]
    private static let formatVersion = "hades-verilator-bridge-2"

    /// Jobs for parallel compiles: $HADES_BUILD_JOBS, default 2.
    static var jobs: Int {
        if let s = ProcessInfo.processInfo.environment["HADES_BUILD_JOBS"], let n = Int(s), n > 0 { return n }
        return 2
    }

    // MARK: compiler flags

    /// Flags of the model sources (and of the precompiled header they use).
    static func compileFlags(_ tc: Toolchain, trace: Bool) -> [String] {
        let t = trace ? "1" : "0"
        return [
            "-std=gnu++17", "-O2", "-fPIC", "-fvisibility=hidden", "-fvisibility-inlines-hidden", "-faligned-new",
            "-Wno-bool-operation", "-Wno-sign-compare", "-Wno-uninitialized", "-Wno-unused-but-set-variable",
            "-Wno-unused-parameter", "-Wno-unused-variable", "-Wno-shadow",
            "-DVM_COVERAGE=0", "-DVM_SC=0", "-DVM_TRACE=\(t)", "-DVM_TRACE_FST=\(t)", "-DVM_TRACE_VCD=0",
            "-DVL_USER_FINISH", "-DVL_USER_STOP", "-DVL_USER_FATAL",
            "-I\(tc.shimDir)", "-I\(tc.verilatorRoot)/include", "-I\(tc.verilatorRoot)/include/vltstd",
        ]
    }

    /// Flags of the runtime and the static shim: console output is routed through the shim.
    static func runtimeFlags(_ tc: Toolchain, trace: Bool) -> [String] {
        compileFlags(tc, trace: trace) + ["-DVL_VERILATED_INCLUDE=\"hades_hooks.h\""]
    }

    static let linkFlags = [
        "-shared", "-Wl,--no-undefined", "-Wl,-Bsymbolic", "-Wl,--exclude-libs,ALL", "-pthread", "-latomic",
    ]

    static func usesPCH(_ tc: Toolchain) -> Bool {
        if let v = ProcessInfo.processInfo.environment["HADES_NO_PCH"], !v.isEmpty, v != "0" { return false }
        return (tc.cxx as NSString).lastPathComponent.contains("clang")
    }

    // MARK: design-independent artifacts

    private static func shimText(_ tc: Toolchain, _ name: String) throws -> String {
        let path = tc.shimDir + "/" + name
        guard let s = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw VerilatorBridgeError.io("cannot read \(path)")
        }
        return s
    }

    private static func baseHash(_ tc: Toolchain, _ flags: [String]) -> SHA256 {
        var h = SHA256()
        h.field(formatVersion)
        h.field(tc.verilatorVersion)
        h.field(tc.verilatorRoot)
        h.field(tc.cxx)
        h.field(tc.cxxVersion)
        for f in flags where !f.hasPrefix("-I") { h.field(f) }
        return h
    }

    /// What a model library links besides its own objects.
    struct Support {
        var objects: [String]  // linked as objects (their exported C API must stay visible)
        var archives: [String]  // linked as archives (symbols hidden by --exclude-libs)
        var pch: String?
    }

    /// The cached design-independent artifacts for one tracing variant, built on first use.
    static func support(_ tc: Toolchain, trace: Bool) throws -> Support {
        let variant = trace ? "fst" : "plain"
        var archives = [try cachedArtifact(tc, kind: "core", file: "libhades_vlrt.a",
                                           key: runtimeKey(tc, "core", trace: false)) { dir in
            try archive(tc, sources: ["verilated.cpp", "verilated_threads.cpp"], flags: runtimeFlags(tc, trace: false),
                        into: dir, name: "libhades_vlrt.a")
        }]
        if trace {
            archives.append(try cachedArtifact(tc, kind: "fst", file: "libhades_vlfst.a",
                                               key: runtimeKey(tc, "fst", trace: true)) { dir in
                try archive(tc, sources: ["verilated_fst_c.cpp"], flags: runtimeFlags(tc, trace: true),
                            into: dir, name: "libhades_vlfst.a")
            })
        }
        var h = baseHash(tc, runtimeFlags(tc, trace: trace))
        for f in ["hades_shim.cpp", "hades_shim.h", "hades_glue.h", "hades_hooks.h"] { h.field(try shimText(tc, f)) }
        let shim = try cachedArtifact(tc, kind: "shim-\(variant)", file: "hades_shim.o",
                                      key: String(h.hexDigest().prefix(24))) { dir in
            let args = runtimeFlags(tc, trace: trace) + ["-c", "\(tc.shimDir)/hades_shim.cpp", "-o", "\(dir)/hades_shim.o"]
            try runCompiles(tc, [CompileJob(args: args, output: "\(dir)/hades_shim.o", log: "\(dir)/compile.log")],
                            stage: "compiling the shim")
        }
        var pch: String?
        if usesPCH(tc) {
            pch = try cachedArtifact(tc, kind: "pch-\(variant)", file: "verilated.pch", key: try pchKey(tc, trace: trace)) { dir in
                let header = "\(tc.verilatorRoot)/include/\(trace ? "verilated_fst_c.h" : "verilated.h")"
                let args = compileFlags(tc, trace: trace) + ["-x", "c++-header", header, "-o", "\(dir)/verilated.pch"]
                try runCompiles(tc, [CompileJob(args: args, output: "\(dir)/verilated.pch", log: "\(dir)/compile.log")],
                                stage: "precompiling verilated.h")
            }
        }
        return Support(objects: [shim], archives: archives, pch: pch)
    }

    private static func runtimeKey(_ tc: Toolchain, _ name: String, trace: Bool) throws -> String {
        var h = baseHash(tc, runtimeFlags(tc, trace: trace))
        h.field(name)
        h.field(try shimText(tc, "hades_hooks.h"))
        return String(h.hexDigest().prefix(24))
    }

    /// A precompiled header is only valid while the headers it was made from are unchanged: the key
    /// covers the name, size and modification time of every Verilator include file.
    private static func pchKey(_ tc: Toolchain, trace: Bool) throws -> String {
        var h = baseHash(tc, compileFlags(tc, trace: trace))
        h.field("pch")
        let fm = FileManager.default
        for dir in ["\(tc.verilatorRoot)/include", "\(tc.verilatorRoot)/include/vltstd"] {
            for name in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                let attrs = try? fm.attributesOfItem(atPath: "\(dir)/\(name)")
                let size = (attrs?[.size] as? NSNumber)?.int64Value ?? -1
                let mtime = (attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
                h.field("\(name) \(size) \(mtime)")
            }
        }
        return String(h.hexDigest().prefix(24))
    }

    /// Returns `<cache>/runtime/<kind>-<key>/<file>`, building it with `build(tmpDir)` if needed.
    private static func cachedArtifact(_ tc: Toolchain, kind: String, file: String, key: String,
                                       build: (String) throws -> Void) throws -> String {
        let dir = "\(tc.cacheRoot)/runtime/\(kind)-\(key)"
        let path = "\(dir)/\(file)"
        if FileManager.default.fileExists(atPath: path) { return path }
        let tmp = try makeTempDir(parent: "\(tc.cacheRoot)/runtime", tag: "\(kind)-\(key)")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try build(tmp)
        try publish(tmp: tmp, final: dir, marker: file)
        return path
    }

    private static func archive(_ tc: Toolchain, sources: [String], flags: [String], into dir: String, name: String) throws {
        let list = sources.map { src -> CompileJob in
            let obj = "\(dir)/\((src as NSString).deletingPathExtension).o"
            return CompileJob(args: flags + ["-c", "\(tc.verilatorRoot)/include/\(src)", "-o", obj], output: obj,
                              log: "\(dir)/\(src).log")
        }
        try runCompiles(tc, list, stage: "compiling the Verilator runtime")
        guard let ar = Toolchain.findExecutable("ar") ?? Toolchain.findExecutable("llvm-ar") else {
            throw VerilatorBridgeError.toolNotFound("ar (binutils) is needed to archive the Verilator runtime")
        }
        let args = ["rcs", "\(dir)/\(name)"] + list.map(\.output)
        let r = try Process.capture(ar, args)
        guard r.status == 0 else {
            throw VerilatorBridgeError.buildFailed(stage: "archiving the Verilator runtime", command: shellQuote([ar] + args),
                                                   log: r.tail)
        }
        for j in list { try? FileManager.default.removeItem(atPath: j.output) }
    }

    // MARK: design

    private static let digestLock = NSLock()
    nonisolated(unsafe) private static var digests: [String: String] = [:]

    /// Hash of everything design-independent that goes into a model library (tools, flags, shim
    /// sources), computed once per process and shim directory.
    static func environmentDigest(_ tc: Toolchain, waves: Bool) throws -> String {
        let id = "\(tc.shimDir)|\(waves)"
        digestLock.lock()
        defer { digestLock.unlock() }
        if let d = digests[id] { return d }
        var h = baseHash(tc, runtimeFlags(tc, trace: waves))
        for f in linkFlags { h.field(f) }
        for name in shimFiles { h.field(try shimText(tc, name)) }
        let d = h.hexDigest()
        digests[id] = d
        return d
    }

    /// The cache key of a design configuration.
    static func designKey(_ design: VerilogDesign, waves: Bool, _ tc: Toolchain) throws -> String {
        var h = SHA256()
        h.field(try environmentDigest(tc, waves: waves))
        h.field(design.top)
        h.field(design.clock ?? "<no clock>")
        h.field(waves ? "waves" : "no-waves")
        for p in design.effectivePorts { h.field("\(p.name) \(p.width) \(p.direction.rawValue)") }
        h.field("args:\(design.verilatorArgs.count)")
        for a in design.verilatorArgs { h.field(a) }
        for name in design.files.keys.sorted() {
            h.field(name)
            h.field(design.files[name]!)
        }
        return String(h.hexDigest().prefix(32))
    }

    static func validate(_ design: VerilogDesign) throws {
        func isIdentifier(_ s: String) -> Bool {
            guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
            else { return false }
            return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
        }
        guard isIdentifier(design.top) else { throw VerilatorBridgeError.invalidArgument("bad top module name '\(design.top)'") }
        guard !design.files.isEmpty else { throw VerilatorBridgeError.invalidArgument("the design has no files") }
        for name in design.files.keys {
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), !name.contains("\0") else {
                throw VerilatorBridgeError.invalidArgument("bad file name '\(name)' (plain names only)")
            }
        }
        guard design.files.keys.contains(where: { $0.hasSuffix(".v") || $0.hasSuffix(".sv") }) else {
            throw VerilatorBridgeError.invalidArgument("the design has no .v or .sv file")
        }
        var seen = Set<String>()
        for p in design.effectivePorts {
            guard isIdentifier(p.name) else { throw VerilatorBridgeError.invalidArgument("bad port name '\(p.name)'") }
            guard p.width >= 1, p.width <= 65536 else {
                throw VerilatorBridgeError.invalidArgument("port '\(p.name)' has width \(p.width)")
            }
            guard seen.insert(p.name).inserted else {
                throw VerilatorBridgeError.invalidArgument("port '\(p.name)' is listed twice")
            }
        }
        if let clock = design.clock, let p = design.effectivePorts.first(where: { $0.name == clock }),
           p.width != 1 || p.direction != .input
        {
            throw VerilatorBridgeError.invalidArgument("clock '\(clock)' must be a 1-bit input")
        }
    }

    /// Returns the cached library for this configuration, building it if needed.
    static func build(_ design: VerilogDesign, waves: Bool) throws -> BuiltModel {
        try validate(design)
        let tc = try Toolchain.current()
        let key = try designKey(design, waves: waves, tc)
        let dir = "\(tc.cacheRoot)/models/\(design.top)-\(key)"
        let lib = "\(dir)/\(libraryName)"
        let fm = FileManager.default
        if fm.fileExists(atPath: lib) {
            return BuiltModel(key: key, libraryPath: lib, directory: dir, cacheHit: true, buildSeconds: 0)
        }
        let start = Date()
        let tmp = try makeTempDir(parent: "\(tc.cacheRoot)/models", tag: "\(design.top)-\(key)")
        var published = false
        defer { if !published { try? fm.removeItem(atPath: tmp) } }

        // 1. Sources.
        let srcDir = "\(tmp)/src", objDir = "\(tmp)/obj"
        try fm.createDirectory(atPath: srcDir, withIntermediateDirectories: true)
        var sources: [String] = []
        for name in design.files.keys.sorted() {
            let path = "\(srcDir)/\(name)"
            var text = design.files[name]!
            if !text.hasSuffix("\n") { text += "\n" }  // Verilator -Wall reports EOFNEWLINE otherwise
            try writeFile(path, text)
            if name.hasSuffix(".v") || name.hasSuffix(".sv") { sources.append(path) }
        }

        // 2. Verilate.
        var vargs = ["--cc", "--Mdir", objDir, "--prefix", "Vtop", "--top-module", design.top, "-I\(srcDir)"]
        if waves { vargs.append("--trace-fst") }
        vargs += design.verilatorArgs
        vargs += sources
        let vlog = "\(tmp)/verilator.log"
        let vp = try Process.start(tc.verilator, vargs, cwd: tmp, logPath: vlog)
        vp.waitUntilExit()
        if vp.terminationStatus != 0 {
            throw VerilatorBridgeError.buildFailed(stage: "verilation of '\(design.top)'",
                                                   command: shellQuote([tc.verilator] + vargs),
                                                   log: ToolResult.tail(of: readFile(vlog)))
        }

        // 3. Check the ports against the Verilated header; generate the port table.
        let header = readFile("\(objDir)/Vtop.h")
        let verilated = parsePorts(header)
        try checkPorts(design, verilated)
        try writeFile("\(objDir)/hades_ports.inc", portTable(design))
        let support = try support(tc, trace: waves)

        // 4. Compile the model (fast parts -O2, slow parts -O1) and the glue, in parallel.
        let cpps = try fm.contentsOfDirectory(atPath: objDir).filter { $0.hasSuffix(".cpp") }.sorted()
        let slow = cpps.filter { $0.contains("__Slow") || $0.contains("__Syms") }
        let fast = cpps.filter { !slow.contains($0) }
        try writeFile("\(objDir)/hades_unity_fast.cpp", fast.map { "#include \"\($0)\"\n" }.joined())
        try writeFile("\(objDir)/hades_unity_slow.cpp", slow.map { "#include \"\($0)\"\n" }.joined())
        func jobs(pch: String?) -> [CompileJob] {
            let flags = compileFlags(tc, trace: waves) + ["-I\(objDir)"] + (pch.map { ["-include-pch", $0] } ?? [])
            return [
                CompileJob(args: flags + ["-c", "\(objDir)/hades_unity_fast.cpp", "-o", "\(objDir)/model_fast.o"],
                           output: "\(objDir)/model_fast.o", log: "\(tmp)/compile_fast.log"),
                CompileJob(args: flags + ["-c", "\(tc.shimDir)/hades_model.cpp", "-o", "\(objDir)/glue.o"],
                           output: "\(objDir)/glue.o", log: "\(tmp)/compile_glue.log"),
                CompileJob(args: flags + ["-O1", "-c", "\(objDir)/hades_unity_slow.cpp", "-o", "\(objDir)/model_slow.o"],
                           output: "\(objDir)/model_slow.o", log: "\(tmp)/compile_slow.log"),
            ]
        }
        var jobsList = jobs(pch: support.pch)
        do {
            try runCompiles(tc, jobsList, stage: "compiling the model of '\(design.top)'")
        } catch let error as VerilatorBridgeError where support.pch != nil {
            // A precompiled header that clang refuses (headers touched since) must not break builds.
            guard case .buildFailed(_, _, let log) = error,
                  log.contains("precompiled") || log.contains("PCH") || log.contains("AST file") else { throw error }
            jobsList = jobs(pch: nil)
            try runCompiles(tc, jobsList, stage: "compiling the model of '\(design.top)'")
        }

        // 5. Link.
        let libTmp = "\(tmp)/\(libraryName)"
        var largs = ["-o", libTmp] + jobsList.map(\.output) + support.objects + support.archives + linkFlags
        if waves { largs.append("-lz") }
        let llog = "\(tmp)/link.log"
        let lp = try Process.start(tc.cxx, largs, cwd: tmp, logPath: llog)
        lp.waitUntilExit()
        if lp.terminationStatus != 0 {
            throw VerilatorBridgeError.buildFailed(stage: "linking the model of '\(design.top)'",
                                                   command: shellQuote([tc.cxx] + largs),
                                                   log: ToolResult.tail(of: readFile(llog)))
        }
        for j in jobsList { try? fm.removeItem(atPath: j.output) }
        let seconds = Date().timeIntervalSince(start)
        try writeFile("\(tmp)/build-info.txt", """
            top: \(design.top)
            waves: \(waves)
            ports: \(design.effectivePorts.map(\.description).joined(separator: ", "))
            verilator: \(shellQuote([tc.verilator] + vargs))
            compiler: \(tc.cxx)
            build seconds: \(String(format: "%.2f", seconds))

            """)
        try publish(tmp: tmp, final: dir, marker: libraryName)
        published = true
        return BuiltModel(key: key, libraryPath: lib, directory: dir, cacheHit: false, buildSeconds: seconds)
    }

    // MARK: ports

    struct VerilatedPort {
        enum Dir { case input, output, bidirectional }
        let name: String
        let width: Int
        let dir: Dir
    }

    /// Parses `VL_IN8(&name,msb,lsb);` / `VL_OUTW(&name,msb,lsb,words);` declarations from Vtop.h.
    static func parsePorts(_ header: String) -> [String: VerilatedPort] {
        var result: [String: VerilatedPort] = [:]
        for raw in header.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("VL_IN") || line.hasPrefix("VL_OUT"),
                  let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"), open < close
            else { continue }
            let macro = line[..<open]
            let args = line[line.index(after: open)..<close].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard args.count >= 3, args[0].hasPrefix("&"), let msb = Int(args[1]), let lsb = Int(args[2]) else { continue }
            let dir: VerilatedPort.Dir = macro.hasPrefix("VL_INOUT") ? .bidirectional : macro.hasPrefix("VL_IN") ? .input : .output
            let name = String(args[0].dropFirst())
            result[name] = VerilatedPort(name: name, width: abs(msb - lsb) + 1, dir: dir)
        }
        return result
    }

    static func checkPorts(_ design: VerilogDesign, _ verilated: [String: VerilatedPort]) throws {
        var problems: [String] = []
        for p in design.effectivePorts {
            guard let v = verilated[p.name] else {
                problems.append("'\(p.name)' is not a port of '\(design.top)'")
                continue
            }
            if v.width != p.width {
                problems.append("'\(p.name)' is \(v.width) bits wide in the design, \(p.width) in the port list")
            }
            switch (v.dir, p.direction) {
            case (.input, .output): problems.append("'\(p.name)' is an input of the design, listed as an output")
            case (.output, .input): problems.append("'\(p.name)' is an output of the design, listed as an input")
            default: break
            }
        }
        if !problems.isEmpty {
            let available = verilated.values.sorted { $0.name < $1.name }
                .map { "\($0.dir) [\($0.width - 1):0] \($0.name)" }.joined(separator: ", ")
            throw VerilatorBridgeError.portMismatch(
                problems.joined(separator: "; ") + ". Verilated ports of '\(design.top)': \(available)")
        }
    }

    /// The generated X-macro table included by hades_shim.cpp.
    static func portTable(_ design: VerilogDesign) -> String {
        let ports = design.effectivePorts
        let clockId = design.clock.flatMap { c in ports.firstIndex { $0.name == c } } ?? -1
        var s = "// Generated by VerilatorBridge for top module '\(design.top)'. Do not edit.\n"
        s += "#define HADES_NUM_PORTS \(ports.count)\n#define HADES_CLOCK_ID \(clockId)\n"
        for (i, p) in ports.enumerated() {
            s += "HADES_PORT(\(i), \(p.name), \(p.width), \(p.direction == .input ? 1 : 0))\n"
        }
        return s
    }

    // MARK: helpers

    struct CompileJob {
        let args: [String]
        let output: String
        let log: String
    }

    /// Runs compiler jobs, at most `jobs` at a time (longest first is the caller's business); throws with
    /// the first failure's log.
    static func runCompiles(_ tc: Toolchain, _ list: [CompileJob], stage: String) throws {
        let slots = DispatchSemaphore(value: jobs)
        var running: [(CompileJob, Process)] = []
        var startError: Error?
        for job in list {
            slots.wait()
            do {
                running.append((job, try Process.start(tc.cxx, job.args, logPath: job.log) { slots.signal() }))
            } catch {
                slots.signal()
                startError = error
                break
            }
        }
        var failure: VerilatorBridgeError?
        for (job, p) in running {
            p.waitUntilExit()
            if p.terminationStatus != 0, failure == nil {
                failure = .buildFailed(stage: stage, command: shellQuote([tc.cxx] + job.args),
                                       log: ToolResult.tail(of: readFile(job.log)))
            }
        }
        if let startError { throw startError }
        if let failure { throw failure }
    }

    static func makeTempDir(parent: String, tag: String) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            let path = "\(parent)/.tmp-\(tag)-\(getpid())-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            return path
        } catch {
            throw VerilatorBridgeError.io("cannot create a build directory under \(parent): \(error)")
        }
    }

    /// Atomically renames a finished build directory into place. If another process won the race,
    /// its (identical) result is kept and ours is discarded.
    static func publish(tmp: String, final: String, marker: String) throws {
        if rename(tmp, final) == 0 { return }
        let err = errno
        if FileManager.default.fileExists(atPath: "\(final)/\(marker)") {
            try? FileManager.default.removeItem(atPath: tmp)
            return
        }
        // A stale, incomplete entry (should not happen: entries appear only by rename). Replace it.
        if err == ENOTEMPTY || err == EEXIST {
            let stale = "\(final).stale-\(getpid())-\(UUID().uuidString.prefix(8))"
            if rename(final, stale) == 0 { try? FileManager.default.removeItem(atPath: stale) }
            if rename(tmp, final) == 0 || FileManager.default.fileExists(atPath: "\(final)/\(marker)") { return }
        }
        throw VerilatorBridgeError.io("cannot move \(tmp) to \(final): \(String(cString: strerror(err)))")
    }

    static func writeFile(_ path: String, _ text: String) throws {
        do { try text.write(toFile: path, atomically: false, encoding: .utf8) } catch {
            throw VerilatorBridgeError.io("cannot write \(path): \(error)")
        }
    }

    static func readFile(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}
