import Foundation
import Trace
import TestSupport
import XCTest

/// `hades-sim` refuses every bad option and every bad trace file the same way: exit status 2, exactly one line on
/// stderr that names the option or the file, and nothing on stdout (no round is printed).
final class OptionValidationTests: XCTestCase {
    var hadesSim: String { BuiltProducts.executable("hades-sim").path }
    static var directory: URL!
    static var goodTrace: String { directory.appendingPathComponent("good.npz").path }

    override class func setUp() {
        super.setUp()
        directory = try! Reliability.temporaryDirectory()
        try! NpzWriter.write(Reliability.traceMembers(), to: goodTrace)
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = Self.directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func trace(_ name: String, _ members: [(name: String, npy: [UInt8])]) throws -> String {
        let path = Self.directory.appendingPathComponent(name).path
        try NpzWriter.write(members, to: path)
        return path
    }

    /// Runs hades-sim and checks the refusal contract; `names` must appear in the stderr line.
    func assertRefused(_ args: [String], naming names: String..., file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: hadesSim), "hades-sim not built at \(hadesSim)",
                      file: file, line: line)
        let r = try ProcessRunner.run(hadesSim, args)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(r.status, 2, "\(args): exit status (stderr: \(r.stderr))", file: file, line: line)
        XCTAssertEqual(r.stdout, "", "\(args): nothing on stdout", file: file, line: line)
        XCTAssertTrue(r.stderr.hasSuffix("\n") && lines.count == 2 && !lines[0].isEmpty,
                      "\(args): exactly one line on stderr, got \(r.stderr.debugDescription)", file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("hades-sim: "), "\(args): \(r.stderr)", file: file, line: line)
        for n in names {
            XCTAssertTrue(r.stderr.contains(n), "\(args): stderr should name \(n): \(r.stderr)", file: file, line: line)
        }
    }

    var base: [String] { ["--trace", Self.goodTrace, "--lanes", "4"] }

    func testTheGoodTraceRuns() throws {
        // The baseline the refusals are measured against (V = 10, Γ = 4, L = 4, fp16 is a small model).
        let r = try ProcessRunner.run(hadesSim, base)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasPrefix("{\"round\":") }.count, 4)
    }

    func testRangesOfNumericOptions() throws {
        for (option, values) in [("--lanes", ["0", "257", "-1", "1000000000000000000000"]),
                                 ("--gamma-max", ["0", "33", "-4"]),
                                 ("--clock-mhz", ["0", "-5", "nan", "inf", "1e9"])] {
            for v in values {
                try assertRefused(base.filter { $0 != "--lanes" && $0 != "4" } + [option, v], naming: option)
            }
        }
    }

    func testFormatOfOptions() throws {
        for (option, v) in [("--lanes", "four"), ("--lanes", "1.5"), ("--gamma-max", "x"), ("--clock-mhz", "fast"),
                            ("--format", "fp8"), ("--format", "fixed40.8"), ("--format", "fixed16"),
                            ("--format", "fixed8.9"), ("--format", ""), ("--mode", "beam"), ("--mode", "")] {
            try assertRefused(base + [option, v], naming: option)
        }
        try assertRefused(base + ["--bogus"], naming: "--bogus")
        try assertRefused(base + ["--lanes"], naming: "--lanes")           // value missing
        try assertRefused(["--lanes", "4"], naming: "--trace")                // option missing
    }

    func testSamplingModePreconditions() throws {
        // The small trace has no uniforms (one-hot sampling needs no draft_logits): refused, naming trace and array.
        try assertRefused(base + ["--mode", "sampling"], naming: Self.goodTrace, "uniforms")
        // Sampling computes in fixed point: a float format is refused, naming --format.
        try assertRefused(base + ["--mode", "sampling", "--format", "fp16"], naming: "--format")
    }

    func testWavesInAnUnwritableDirectory() throws {
        try assertRefused(base + ["--waves", "/nonexistent-dir/w.fst"], naming: "--waves")
    }

    func testMissingUnreadableAndCorruptTraceFiles() throws {
        try assertRefused(["--trace", "/nonexistent/t.npz"], naming: "--trace", "/nonexistent/t.npz")
        try assertRefused(["--trace", Self.directory.path], naming: "--trace", Self.directory.path)   // a directory
        if getuid() != 0 {  // root reads anything
            let locked = try file("locked.npz", try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.goodTrace))))
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked)
            try assertRefused(["--trace", locked], naming: "--trace", locked)
        }
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.goodTrace)))
        let corrupt: [(String, [UInt8])] = [
            ("empty.npz", []),
            ("text.npz", Array("not a zip file\n".utf8)),
            ("truncated.npz", Array(good.prefix(good.count / 2))),
            ("tail.npz", Array(good.suffix(good.count / 3))),
        ]
        for (name, bytes) in corrupt {
            let path = try file(name, bytes)
            try assertRefused(["--trace", path, "--lanes", "4"], naming: "--trace", path)
        }
    }

    func testTracesThatBreakTheFormatContract() throws {
        var members = Reliability.traceMembers()
        let noGamma = try trace("no-gamma.npz", members.filter { $0.name != "gamma" })
        try assertRefused(["--trace", noGamma, "--lanes", "4"], naming: noGamma)
        members[2].npy = NpyWriter.encode(ints: [0, 1, 9, 2], shape: [4], as: .int64)  // γ > G
        let bigGamma = try trace("big-gamma.npz", members)
        try assertRefused(["--trace", bigGamma, "--lanes", "4"], naming: bigGamma)
        var negative = Reliability.traceMembers()
        // Round 1 has γ = 1, so its x_0 is in use (entries past γ may hold anything).
        negative[1].npy = NpyWriter.encode(ints: [0, 0, 0, 0, -1] + Array(repeating: 0, count: 11), shape: [4, 4], as: .int64)
        let negativeDraft = try trace("negative-draft.npz", negative)
        try assertRefused(["--trace", negativeDraft, "--lanes", "4"], naming: negativeDraft)
        var floats = Reliability.traceMembers()
        floats[1].npy = NpyWriter.encode(floats: Array(repeating: 1, count: 16), shape: [4, 4], as: .float32)
        let floatDrafts = try trace("float-drafts.npz", floats)
        try assertRefused(["--trace", floatDrafts, "--lanes", "4"], naming: floatDrafts)
        // A NaN logit cannot be converted to fixed point: refused before any round, naming the array and index.
        var nan = Reliability.traceMembers(rounds: 1)
        nan[0].npy = NpyWriter.encode(floats: [Float.nan] + Array(repeating: 0, count: 49), shape: [1, 5, 10], as: .float16)
        let nanTrace = try trace("nan.npz", nan)
        try assertRefused(["--trace", nanTrace, "--lanes", "4", "--format", "fixed16.8"], naming: "target_logits")
    }

    /// Mutated archives that the reader refuses must be refused by hades-sim with one line naming the file.
    func testFuzzedTracesAreRefusedWithOneLine() throws {
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.goodTrace)))
        var refused = 0
        for seed: UInt64 in 0..<200 where refused < 12 {
            let bytes = TraceFuzzer.mutate(good, seed: seed)
            guard (try? SpeculativeTrace(bytes: bytes, file: "x")) == nil else { continue }
            let path = try file("fuzz-\(seed).npz", bytes)
            try assertRefused(["--trace", path, "--lanes", "4"], naming: path)
            refused += 1
        }
        XCTAssertEqual(refused, 12)
    }

    // MARK: traces that do not fit the hardware

    /// A trace whose V is outside 2…262144 is refused, naming the trace.
    func testVocabOutOfRangeNamesTheTrace() throws {
        var members = Reliability.traceMembers(rounds: 1, vocab: 1)
        members[1].npy = NpyWriter.encode(ints: [0, 0, 0, 0], shape: [1, 4], as: .int64)
        let path = try trace("v1.npz", members)
        try assertRefused(["--trace", path, "--lanes", "4"], naming: path, "vocab")
    }

    /// γ larger than 2^GW − 1 of `--gamma-max` cannot be sent in the command.
    func testGammaThatDoesNotFitTheCommandIsRefused() throws {
        let path = try trace("g4.npz", Reliability.traceMembers(gammas: [4, 4, 4, 4]))
        try assertRefused(["--trace", path, "--lanes", "4", "--gamma-max", "2"], naming: "--gamma-max", path)
        // γ = 3 > Γ = 2 still fits the 2-bit field: a bad_gamma round, not an error.
        let fits = try trace("g3.npz", Reliability.traceMembers(gammas: [3, 0, 1, 2]))
        let r = try ProcessRunner.run(hadesSim, ["--trace", fits, "--lanes", "4", "--gamma-max", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.split(separator: "\n").first?.contains("bad_gamma") ?? false, r.stdout)
    }

    /// A draft token ≥ 2^TW cannot be sent in the command: refused, naming the trace (not masked to TW bits).
    func testDraftTokenThatDoesNotFitTheCommandIsRefused() throws {
        var members = Reliability.traceMembers()
        members[1].npy = NpyWriter.encode(ints: [0, 0, 0, 0, 1 << 20] + Array(repeating: 0, count: 11), shape: [4, 4], as: .int64)
        let path = try trace("huge-draft.npz", members)
        try assertRefused(["--trace", path, "--lanes", "4"], naming: path)
    }
}
