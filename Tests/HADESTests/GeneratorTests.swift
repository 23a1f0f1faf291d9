import Foundation
import Golden
import HADES
import TestSupport
import XCTest

/// `hadesgen` as users run it, and the committed instances under rtl/.
final class GeneratorTests: XCTestCase {
    static let packageRoot = BuiltProducts.packageRoot

    func runGenerator(_ args: [String]) throws -> ProcessRunner.Output { try BuiltProducts.run("hadesgen", args) }

    func testDocumentedCommandPrintsTheVerifier() throws {
        let r = try runGenerator(["--gamma", "16", "--vocab", "50257"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("module hades_verify_g16_v50257_l16_fp16 ("))
        XCTAssertTrue(r.stdout.contains("// Command: hadesgen --gamma 16 --vocab 50257 --lanes 16 --format fp16"))
        XCTAssertTrue(r.stdout.hasSuffix("`resetall\n"))
        XCTAssertTrue(r.stdout.contains("\n`timescale 1ns/1ps\n`default_nettype none\n"))
    }

    func testOutputFileAndTopName() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hadesgen-\(UUID().uuidString).v").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runGenerator(["--gamma", "4", "--vocab", "1000", "--lanes", "3", "--format", "fixed16.8",
                                  "--top", "my_verify", "-o", path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("module my_verify ("))
    }

    func testInvalidOptionsNameTheOptionAndWriteNothing() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hadesgen-bad-\(UUID().uuidString).v").path
        let cases: [([String], String)] = [
            (["--gamma", "0", "--vocab", "100"], "--gamma"),
            (["--gamma", "33", "--vocab", "100"], "--gamma"),
            (["--gamma", "4", "--vocab", "1"], "--vocab"),
            (["--gamma", "4", "--vocab", "262145"], "--vocab"),
            (["--gamma", "4", "--vocab", "100", "--lanes", "0"], "--lanes"),
            (["--gamma", "4", "--vocab", "100", "--lanes", "257"], "--lanes"),
            (["--gamma", "4", "--vocab", "100", "--format", "fixed40.8"], "--format"),
            (["--gamma", "4", "--vocab", "100", "--format", "fp8"], "--format"),
            (["--gamma", "4", "--vocab", "100", "--top", "bad__name"], "--top"),
            (["--gamma", "4", "--vocab", "100", "-o", "/nonexistent-dir/x.v"], "-o"),
            (["--gamma", "4", "--vocab", "100", "--mode", "beam"], "--mode"),
            (["--gamma", "4", "--vocab", "100", "--mode", "sampling"], "--mode sampling"),
        ]
        for (args, option) in cases {
            let r = try runGenerator(args + (args.contains("-o") ? [] : ["-o", path]))
            XCTAssertNotEqual(r.status, 0, "\(args) should fail")
            XCTAssertTrue(r.stderr.contains(option), "\(args): stderr should name \(option): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(args): nothing on stdout")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "\(args): no file written")
        }
        // Without -o, a bad value must not print partial Verilog either.
        let r = try runGenerator(["--gamma", "99", "--vocab", "100"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "")
    }

    func testSamplingModePrintsTheSamplingVerifier() throws {
        let r = try runGenerator(["--gamma", "4", "--vocab", "1000", "--format", "fixed16.8", "--mode", "sampling"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("module hades_verify_sampling_g4_v1000_l16_fx16p8 ("))
        XCTAssertTrue(r.stdout.contains("s_axis_draft_tdata"))
    }

    func testSamplingHarnessWrapsTheSamplingUnit() throws {
        let r = try runGenerator(["--gamma", "2", "--vocab", "100", "--lanes", "4", "--format", "fixed16.8",
                                  "--mode", "sampling", "--harness"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("module hades_harness_sampling_g2_v100_l4_fx16p8 ("))
        XCTAssertTrue(r.stdout.contains("s_axis_draft_tdata"), "the sampling unit (with its draft stream) is inside")
    }

    func testOutputIsDeterministic() throws {
        let c = try VerifierConfig(vocab: 1000, gammaMax: 8, lanes: 16, format: .fp16)
        XCTAssertEqual(try HADESGenerator.verilog(c), try HADESGenerator.verilog(c))
    }

    /// `make rtl` writes these; regenerate with it when the generator changes.
    func testCommittedRTLIsUpToDate() throws {
        let rtl = Self.packageRoot.appendingPathComponent("rtl")
        let files = try FileManager.default.contentsOfDirectory(atPath: rtl.path).filter { $0.hasSuffix(".v") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 3, "rtl/ should hold the default instances")
        XCTAssertTrue(files.contains("hades_verify_g16_v50257_l16_fp16.v"))
        for file in files {
            let committed = try String(contentsOf: rtl.appendingPathComponent(file), encoding: .utf8)
            guard let commandLine = committed.split(separator: "\n").first(where: { $0.hasPrefix("// Command: ") }) else {
                XCTFail("\(file): no command line in the header"); continue
            }
            let args = commandLine.dropFirst("// Command: hadesgen ".count).split(separator: " ").map(String.init)
            let r = try runGenerator(args)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout == committed, "rtl/\(file) is stale: run `make rtl`")
        }
    }
}
