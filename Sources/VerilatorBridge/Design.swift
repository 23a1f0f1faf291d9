// What to build: a Verilog design, its top module and the ports Swift wants to drive or watch.

/// One port of the top module, as Swift sees it.
public struct PortSpec: Hashable, Sendable, CustomStringConvertible {
    public enum Direction: String, Hashable, Sendable {
        case input, output
    }

    public var name: String
    public var width: Int
    public var direction: Direction

    public init(_ name: String, width: Int, _ direction: Direction) {
        self.name = name
        self.width = width
        self.direction = direction
    }

    public static func input(_ name: String, _ width: Int = 1) -> PortSpec { PortSpec(name, width: width, .input) }
    public static func output(_ name: String, _ width: Int = 1) -> PortSpec { PortSpec(name, width: width, .output) }

    public var description: String { "\(direction.rawValue) [\(width - 1):0] \(name)" }
}

/// A Verilog design to verilate.
///
/// - `files`: file name → Verilog text. `.v` / `.sv` files are passed to Verilator as sources; any other
///   file (e.g. `.vh`) is only reachable through `` `include `` (the file directory is on the include path).
/// - `top`: the top module.
/// - `ports`: the top-level ports Swift can access, in any order (need not be all of them). Each is
///   checked against the Verilated model (exact width and direction) when the model is built.
/// - `clock`: the clock port driven by `step` and the stream engine (`nil`: no clock). It is added to
///   `ports` as a 1-bit input when it is not listed.
/// - `verilatorArgs`: extra Verilator arguments (e.g. `["-Wno-WIDTH"]`). Verilator's default warnings
///   are fatal unless you pass `-Wno-fatal`.
public struct VerilogDesign: Hashable, Sendable {
    public var files: [String: String]
    public var top: String
    public var ports: [PortSpec]
    public var clock: String?
    public var verilatorArgs: [String]

    public init(files: [String: String], top: String, ports: [PortSpec], clock: String? = "aclk",
                verilatorArgs: [String] = []) {
        self.files = files
        self.top = top
        self.ports = ports
        self.clock = clock
        self.verilatorArgs = verilatorArgs
    }

    /// A single-file design whose file is named after the top module.
    public init(verilog: String, top: String, ports: [PortSpec], clock: String? = "aclk",
                verilatorArgs: [String] = []) {
        self.init(files: ["\(top).v": verilog], top: top, ports: ports, clock: clock, verilatorArgs: verilatorArgs)
    }

    /// The ports in id order (the order of the generated port table): `ports`, plus the clock if missing.
    var effectivePorts: [PortSpec] {
        var result = ports
        if let clock, !ports.contains(where: { $0.name == clock }) {
            result.append(.input(clock))
        }
        return result
    }
}

/// Everything that can go wrong while building, loading or simulating a model.
public enum VerilatorBridgeError: Error, CustomStringConvertible, Equatable {
    /// How a simulation ended early.
    public enum SimulationEnd: String, Sendable {
        /// The design executed `$finish`.
        case finish
        /// `$stop`, `$fatal`, `$error` or a failed immediate assertion.
        case stop
        /// A fatal error of the Verilator runtime (e.g. a combinational loop that does not converge).
        case fatal
        /// A C++ exception in the model or the shim.
        case error
        /// The stream engine ran out of cycles before every stream was done.
        case cycleLimit
    }

    /// A required tool (verilator, a C++ compiler) is missing.
    case toolNotFound(String)
    /// Verilation, compilation or linking failed; `log` is the tail of the tool's output.
    case buildFailed(stage: String, command: String, log: String)
    /// The built library could not be loaded.
    case loadFailed(String)
    /// The port list does not match the Verilated model.
    case portMismatch(String)
    /// A bad argument (unknown port, value too wide, poking an output, ...).
    case invalidArgument(String)
    /// The simulation stopped; the model refuses further evaluation (except after `.cycleLimit`).
    case simulation(SimulationEnd, String)
    /// A file system problem (cache directory, temporary files).
    case io(String)

    public var description: String {
        switch self {
        case .toolNotFound(let m): return "VerilatorBridge: tool not found: \(m)"
        case .buildFailed(let stage, let command, let log):
            return "VerilatorBridge: \(stage) failed\ncommand: \(command)\n--- output (tail) ---\n\(log)"
        case .loadFailed(let m): return "VerilatorBridge: cannot load model: \(m)"
        case .portMismatch(let m): return "VerilatorBridge: port mismatch: \(m)"
        case .invalidArgument(let m): return "VerilatorBridge: \(m)"
        case .simulation(let end, let m): return "VerilatorBridge: simulation ended (\(end.rawValue)): \(m)"
        case .io(let m): return "VerilatorBridge: I/O error: \(m)"
        }
    }
}
