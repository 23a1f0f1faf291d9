// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "HADES",
    products: [
        .executable(name: "hadesgen", targets: ["hadesgen"]),
        .executable(name: "hades-sim", targets: ["hades-sim"]),
        .executable(name: "hades-bench", targets: ["hades-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // What every layer shares: the seeded generator, width helpers, the process runner.
        .target(name: "Basics"),
        // Test support: the repository and built executables, circuits against Swift models (re-exports Basics).
        .target(name: "TestSupport", dependencies: ["Basics", "HDL", "VerilatorBridge", "CoSim"]),
        // The hardware construction language: IR, checks, name allocation, Verilog emitter.
        .target(name: "HDL", dependencies: ["Basics"]),
        // Builds any Verilog module into a Verilator shared library and drives it from Swift (dlopen).
        .target(name: "VerilatorBridge", dependencies: ["Basics"]),
        // Plain-Swift golden model of the verifier: number formats, greedy rule, cycle model.
        .target(name: "Golden", dependencies: ["Basics"]),
        // Runs the tools that judge emitted Verilog: Verilator lint, Icarus, Yosys.
        .target(name: "ToolRunners", dependencies: ["Basics"]),
        // The HADES verify/rollback datapath, written in the HDL (FormalHarness still runs Yosys/ABC).
        .target(name: "HADES", dependencies: ["HDL", "Golden", "ToolRunners"]),
        // .npy / .npz trace reader.
        .target(name: "Trace", dependencies: ["Basics", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Co-simulation: streams rounds through the Verilated RTL and compares with the golden model.
        .target(name: "CoSim", dependencies: ["HADES", "Golden", "VerilatorBridge", "Trace"]),
        // The command-line options both tools share (VerifierConfig's ranges, mode and format arguments).
        .target(name: "VerifierOptions", dependencies: [
            "Golden", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "hadesgen", dependencies: [
            "HADES", "VerifierOptions", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "hades-sim", dependencies: [
            "CoSim", "VerifierOptions", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Formal checkers and the documentation diagrams' model (`make formal-rtl`, `make docs`).
        .executableTarget(name: "hades-export", dependencies: [
            "HADES", "CoSim", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Times the Swift golden model on traces for `make bench`.
        .executableTarget(name: "hades-bench", dependencies: [
            "CoSim", "Golden", "Trace", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "HDLTests", dependencies: ["HDL", "VerilatorBridge", "TestSupport", "ToolRunners"], exclude: ["Golden"]),
        .testTarget(name: "VerilatorBridgeTests", dependencies: ["VerilatorBridge", "TestSupport"]),
        .testTarget(name: "GoldenTests", dependencies: ["Golden"]),
        .testTarget(name: "TraceTests", dependencies: ["Trace", "TestSupport"]),
        .testTarget(name: "HADESTests", dependencies: ["HADES", "Golden", "CoSim", "VerilatorBridge", "TestSupport", "ToolRunners"]),
        .testTarget(name: "CoSimTests", dependencies: ["CoSim", "Trace", "Golden", "TestSupport"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["CoSim", "HADES", "HDL", "Golden", "Trace", "VerilatorBridge", "TestSupport", "ToolRunners"]),
        .testTarget(name: "SamplingTests", dependencies: ["CoSim", "HADES", "HDL", "Golden", "Trace", "VerilatorBridge", "ToolRunners"]),
        .testTarget(name: "ReportTests", dependencies: ["CoSim", "HADES", "Golden", "TestSupport", "ToolRunners"]),
    ]
)
