// The Swift face of a Verilated model: build (cached), poke/peek ports, clock it, record waves.

import Foundation

/// A validated reference to a port of a built model. Obtain it with `VerilatedModel.port(_:)`.
public struct PortHandle: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let width: Int
    public let direction: PortSpec.Direction
    let id: Int32

    /// Number of 32-bit words of a value of this port.
    public var wordCount: Int { (width + 31) / 32 }
    public var description: String { "\(direction.rawValue) [\(width - 1):0] \(name)" }
}

/// A Verilated model loaded from a shared library.
///
/// Not thread-safe: use one instance from one thread at a time. Instances are independent (each has its
/// own Verilator context), also when they come from the same library.
public final class VerilatedModel {
    /// How the model was obtained.
    public struct BuildInfo: Sendable {
        /// The library was found in the on-disk cache.
        public let cacheHit: Bool
        /// Time spent building (verilate + compile + link), 0 on a cache hit.
        public let buildSeconds: Double
        /// Time spent in `build` in total (hashing, building, copying, dlopen).
        public let totalSeconds: Double
        /// The cache entry: the library, the Verilated sources and the build logs.
        public let directory: String
        /// The cache key (hash of everything that affects the library).
        public let key: String
    }

    public let design: VerilogDesign
    /// True when built with FST support (`startWaves` works).
    public let waves: Bool
    public let buildInfo: BuildInfo
    /// All accessible ports, in id order.
    public let ports: [PortHandle]
    /// The clock port, if the design has one.
    public let clock: PortHandle?

    private let lib: ModelLibrary
    private let inst: OpaquePointer
    private let portsByName: [String: PortHandle]

    private static let buildLock = NSLock()

    /// Builds (or finds in the cache) and loads a model. `waves: true` builds an FST-capable variant
    /// (a different cache entry; much slower to simulate).
    public static func build(_ design: VerilogDesign, waves: Bool = false) throws -> VerilatedModel {
        let start = Date()
        buildLock.lock()
        let built: BuiltModel
        let lib: ModelLibrary
        do {
            defer { buildLock.unlock() }
            built = try ModelBuilder.build(design, waves: waves)
            lib = try ModelLibrary.load(key: built.key, path: built.libraryPath)
        }
        let info = BuildInfo(cacheHit: built.cacheHit, buildSeconds: built.buildSeconds,
                             totalSeconds: Date().timeIntervalSince(start), directory: built.directory, key: built.key)
        return try VerilatedModel(design: design, waves: waves, lib: lib, info: info)
    }

    /// Builds the design-independent Verilator runtime now (it is otherwise built by the first `build`).
    /// Returns the seconds spent (≈0 when cached).
    @discardableResult
    public static func prepareRuntime(waves: Bool = false) throws -> Double {
        let start = Date()
        buildLock.lock()
        defer { buildLock.unlock() }
        _ = try ModelBuilder.support(try Toolchain.current(), trace: waves)
        return Date().timeIntervalSince(start)
    }

    /// The cache root in use.
    public static func cacheDirectory() throws -> String { try Toolchain.current().cacheRoot }

    private init(design: VerilogDesign, waves: Bool, lib: ModelLibrary, info: BuildInfo) throws {
        self.design = design
        self.waves = waves
        self.buildInfo = info
        self.lib = lib
        let specs = design.effectivePorts
        guard Int(lib.numPorts()) == specs.count else {
            throw VerilatorBridgeError.loadFailed("\(lib.path) has \(lib.numPorts()) ports, expected \(specs.count)")
        }
        var handles: [PortHandle] = []
        for (i, spec) in specs.enumerated() {
            guard Int(lib.portWidth(Int32(i))) == spec.width,
                  (lib.portIsInput(Int32(i)) != 0) == (spec.direction == .input)
            else {
                throw VerilatorBridgeError.loadFailed("\(lib.path): port \(i) does not match \(spec)")
            }
            handles.append(PortHandle(name: spec.name, width: spec.width, direction: spec.direction, id: Int32(i)))
        }
        ports = handles
        let byName = Dictionary(uniqueKeysWithValues: handles.map { ($0.name, $0) })
        portsByName = byName
        clock = design.clock.flatMap { byName[$0] }
        var err = [CChar](repeating: 0, count: 4096)
        guard let inst = lib.create(&err, UInt64(err.count)) else {
            throw VerilatorBridgeError.loadFailed("creating the model failed: \(String(cString: err))")
        }
        self.inst = inst
    }

    deinit {
        lib.destroy(inst)
    }

    // MARK: ports

    /// The port named `name` (must be in the design's port list).
    public func port(_ name: String) throws -> PortHandle {
        guard let p = portsByName[name] else {
            throw VerilatorBridgeError.invalidArgument(
                "no port '\(name)' in '\(design.top)' (ports: \(ports.map(\.name).joined(separator: ", ")))")
        }
        return p
    }

    private func checkInput(_ p: PortHandle) throws {
        guard p.direction == .input else {
            throw VerilatorBridgeError.invalidArgument("cannot poke '\(p.name)': it is an output")
        }
    }

    /// Sets an input. Throws if `value` does not fit the port (ports wider than 64 bits get the value
    /// zero-extended).
    public func poke(_ p: PortHandle, _ value: UInt64) throws {
        try checkInput(p)
        if p.width < 64 && value >> UInt64(p.width) != 0 {
            throw VerilatorBridgeError.invalidArgument(
                "value 0x\(String(value, radix: 16)) does not fit the \(p.width)-bit port '\(p.name)'")
        }
        lib.poke64(inst, p.id, value)
    }

    /// Sets an input from 32-bit words, least significant first. Missing high words are zero; throws if
    /// the value has bits above the port width.
    public func poke(_ p: PortHandle, words: [UInt32]) throws {
        try checkInput(p)
        for (i, w) in words.enumerated() where w != 0 {
            let bitsAvailable = p.width - 32 * i
            if bitsAvailable <= 0 || (bitsAvailable < 32 && w >> UInt32(bitsAvailable) != 0) {
                throw VerilatorBridgeError.invalidArgument(
                    "value (\(words.count) words) does not fit the \(p.width)-bit port '\(p.name)'")
            }
        }
        let n = min(words.count, p.wordCount)
        words.withUnsafeBufferPointer { lib.pokeWords(inst, p.id, $0.baseAddress, UInt32(n)) }
    }

    /// Sets an input by name.
    public func poke(_ name: String, _ value: UInt64) throws { try poke(try port(name), value) }

    /// Reads a port of at most 64 bits (use `peekWords` for wider ones).
    public func peek(_ p: PortHandle) -> UInt64 {
        precondition(p.width <= 64, "peek(\(p.name)): the port is \(p.width) bits wide; use peekWords")
        return lib.peek64(inst, p.id)
    }

    /// Reads any port as 32-bit words, least significant first (`p.wordCount` words).
    public func peekWords(_ p: PortHandle) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: p.wordCount)
        out.withUnsafeMutableBufferPointer { lib.peekWords(inst, p.id, $0.baseAddress, UInt32($0.count)) }
        return out
    }

    /// Reads a port (≤ 64 bits) by name.
    public func peek(_ name: String) throws -> UInt64 {
        let p = try port(name)
        guard p.width <= 64 else {
            throw VerilatorBridgeError.invalidArgument("'\(name)' is \(p.width) bits wide; use peekWords")
        }
        return peek(p)
    }

    // MARK: simulation

    /// Full clock cycles run so far (by `step` and `runStreams`).
    public var cycle: UInt64 { lib.cycle(inst) }

    /// Settles the model with the current inputs, without a clock edge.
    public func eval() throws { try check(lib.eval(inst)) }

    /// Runs `cycles` clock cycles: clock low, eval, clock high, eval. Set inputs before calling; outputs
    /// read afterwards show the state after the rising edge.
    public func step(_ cycles: Int = 1) throws {
        precondition(cycles >= 0, "step: negative cycle count")
        try check(lib.tick(inst, UInt64(cycles)))
    }

    /// Holds `name` (default `aresetn`, active low) asserted for `cycles` cycles, then releases it.
    public func reset(_ name: String = "aresetn", activeLow: Bool = true, cycles: Int = 2) throws {
        let p = try port(name)
        try poke(p, activeLow ? 0 : 1)
        try step(cycles)
        try poke(p, activeLow ? 1 : 0)
        try eval()
    }

    /// Starts writing an FST waveform to `path` (the model must be built with `waves: true`).
    public func startWaves(to path: String) throws {
        guard waves else {
            throw VerilatorBridgeError.invalidArgument("model built without waves support: build with waves: true")
        }
        try check(lib.traceOpen(inst, path))
    }

    /// Stops and flushes the waveform (no-op when none is open).
    public func stopWaves() { lib.traceClose(inst) }

    /// Converts a shim status into a thrown error.
    func check(_ status: Int32) throws {
        if status == 0 { return }
        let message = lib.lastError(inst).map { String(cString: $0) } ?? ""
        let end: VerilatorBridgeError.SimulationEnd
        switch status {
        case 1: end = .finish
        case 2: end = .stop
        case 3: end = .fatal
        case 5: end = .cycleLimit
        case 4 where !message.hasPrefix("C++"):
            throw VerilatorBridgeError.invalidArgument(message)
        default: end = .error
        }
        throw VerilatorBridgeError.simulation(end, message)
    }

    // Internal access for the stream engine.
    var library: ModelLibrary { lib }
    var instance: OpaquePointer { inst }
}
