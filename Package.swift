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
        // The hardware construction language: IR, checks, name allocation, Verilog emitter.
        .target(name: "HDL"),
        // Builds any Verilog module into a Verilator shared library and drives it from Swift (dlopen).
        .target(name: "VerilatorBridge"),
        // Plain-Swift golden model of the verifier: number formats, greedy rule, cycle model.
        .target(name: "Golden"),
        // The HADES verify/rollback datapath, written in the HDL.
        .target(name: "HADES", dependencies: ["HDL", "Golden"]),
        // .npy / .npz trace reader.
        .target(name: "Trace", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Co-simulation: streams rounds through the Verilated RTL and compares with the golden model.
        .target(name: "CoSim", dependencies: ["HADES", "Golden", "VerilatorBridge", "Trace"]),
        .executableTarget(name: "hadesgen", dependencies: [
            "HADES", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "hades-sim", dependencies: [
            "CoSim", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Formal checkers and the documentation diagrams' model (`make formal-rtl`, `make docs`).
        .executableTarget(name: "hades-export", dependencies: [
            "HADES", "CoSim", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Times the Swift golden model on traces for `make bench`.
        .executableTarget(name: "hades-bench", dependencies: [
            "CoSim", "Golden", "Trace", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "HDLTests", dependencies: ["HDL", "VerilatorBridge"], exclude: ["Golden"]),
        .testTarget(name: "VerilatorBridgeTests", dependencies: ["VerilatorBridge"]),
        .testTarget(name: "GoldenTests", dependencies: ["Golden"]),
        .testTarget(name: "TraceTests", dependencies: ["Trace"]),
        .testTarget(name: "HADESTests", dependencies: ["HADES", "Golden", "CoSim", "VerilatorBridge"]),
        .testTarget(name: "CoSimTests", dependencies: ["CoSim", "Trace", "Golden"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["CoSim", "HADES", "HDL", "Golden", "Trace", "VerilatorBridge"]),
        .testTarget(name: "SamplingTests", dependencies: ["CoSim", "HADES", "HDL", "Golden", "Trace", "VerilatorBridge"]),
        .testTarget(name: "ReportTests", dependencies: ["CoSim", "HADES", "Golden"]),
    ]
)
