import Foundation
import Golden
import HADES
import HDL
import XCTest

/// FuseSoC 2.4.7 + edalize 0.6.8 (tools/install-deps.sh) with hades.core: the hades_verify generator runs
/// hadesgen with the parameters of a user's core, and the generated unit passes the lint target (Verilator -Wall);
/// a bad parameter stops the run with hadesgen's message. Fails when fusesoc is missing.
final class FuseSoCTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func fusesoc(_ core: String, in work: URL) throws -> (status: Int32, output: String) {
        let cores = work.appendingPathComponent("cores")
        try FileManager.default.createDirectory(at: cores, withIntermediateDirectories: true)
        try core.write(to: cores.appendingPathComponent("user.core"), atomically: true, encoding: .utf8)
        // As a module of python3, so a pip script directory missing from PATH does not matter.
        let python = try XCTUnwrap(ExternalTools.which("python3"), "python3 not found")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-m", "fusesoc.main", "--cores-root", Self.root.path, "--cores-root", cores.path, "run", "--target", "lint", "hades:test:user"]
        p.currentDirectoryURL = work
        // The hadesgen built with these tests, not whatever an older build left in .build/release.
        let bundle = Bundle(for: FuseSoCTests.self).bundleURL
        let hadesgen = [bundle.appendingPathComponent("hadesgen"), bundle.deletingLastPathComponent().appendingPathComponent("hadesgen")]
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        p.environment = ProcessInfo.processInfo.environment.merging(["HADESGEN": try XCTUnwrap(hadesgen).path]) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    func core(_ parameters: String) -> String {
        """
        CAPI=2:
        name: hades:test:user:0.1
        filesets:
          deps:
            depend: [hades:speculative:verify]
        generate:
          unit:
            generator: hades_verify
            parameters: {\(parameters)}
        targets:
          lint:
            filesets: [deps]
            generate: [unit]
            toplevel: user_verify
            default_tool: verilator
            tools:
              verilator:
                mode: lint-only
                verilator_options: [-Wall, -Wno-DECLFILENAME]

        """
    }

    func testGeneratorOutputLintsNextToTheCommittedInstances() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("hades-fusesoc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let r = try fusesoc(core("gamma: 4, vocab: 1000, lanes: 5, format: fixed12.4, mode: sampling, top: user_verify"), in: work)
        XCTAssertEqual(r.status, 0, r.output)
        // The generated file is hadesgen's output for these parameters.
        let found = FileManager.default.enumerator(at: work, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL }
            .first { $0.lastPathComponent == "user_verify.v" && $0.path.contains("/src/") }
        let generated = try String(contentsOf: try XCTUnwrap(found, "no generated user_verify.v"), encoding: .utf8)
        let config = try VerifierConfig(vocab: 1000, gammaMax: 4, lanes: 5, format: LogitFormat(parsing: "fixed12.4"))
        XCTAssertEqual(generated, try HADESGenerator.samplingVerilog(config, top: "user_verify"))
    }

    func testBadParameterStopsTheRunNamingTheOption() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("hades-fusesoc-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let r = try fusesoc(core("gamma: 99, vocab: 1000, top: user_verify"), in: work)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("--gamma 99 is out of range"), r.output)
    }
}
