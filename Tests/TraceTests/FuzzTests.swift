import Foundation
import TestSupport
import Trace
import XCTest

/// Short, deterministic robustness runs. Every mutated input must either load (and then every accessor works)
/// or be refused with a `TraceError` naming the file; a crash or a hang fails the suite.
/// Set TRACE_FUZZ_SCALE (e.g. 100) for a longer run with the same code.
final class FuzzTests: XCTestCase {
    var scale: UInt64 { UInt64(ProcessInfo.processInfo.environment["TRACE_FUZZ_SCALE"] ?? "") ?? 1 }

    func testMutationsAreDeterministic() {
        let input = Array(0..<200).map { UInt8($0) }
        for seed: UInt64 in 0..<50 {
            XCTAssertEqual(TraceFuzzer.mutate(input, seed: seed), TraceFuzzer.mutate(input, seed: seed))
        }
        XCTAssertNotEqual(TraceFuzzer.mutate(input, seed: 1), TraceFuzzer.mutate(input, seed: 2))
        var a = SplitMix64(seed: 0)
        XCTAssertEqual(a.next(), 0xE220_A839_7B1D_CDAF)  // reference SplitMix64 output for seed 0
        var rng = SplitMix64(seed: 7)
        for mutation in TraceFuzzer.Mutation.allCases {
            _ = TraceFuzzer.apply(mutation, to: [], rng: &rng)       // empty input never traps
            _ = TraceFuzzer.apply(mutation, to: [1], rng: &rng)
        }
    }

    func testFuzzWholeArchives() throws {
        let members = traceMembers(rounds: 3, gammaMax: 2, vocab: 7)
        var total = TraceFuzzer.Summary()
        for compressed in [false, true] {
            let archive = try members.archive(compressed: compressed)
            XCTAssertNoThrow(try SpeculativeTrace(bytes: archive, file: "fuzz.npz"))
            let s = TraceFuzzer.fuzzArchive(archive, seeds: 0..<(200 * scale), file: "fuzz.npz")
            XCTAssertEqual(s.badMessages, 0)
            XCTAssertEqual(s.cases, s.loaded + s.rejected)
            total.cases += s.cases
            total.loaded += s.loaded
            total.rejected += s.rejected
        }
        print("whole-archive fuzz: \(total)")
        XCTAssertEqual(total.cases, Int(400 * scale))
    }

    func testFuzzNumpyWrittenArchive() {
        let s = TraceFuzzer.fuzzArchive(NumpyFixtures.savezCompressed, seeds: 1000..<(1000 + 100 * scale), file: "np.npz")
        print("numpy-archive fuzz: \(s)")
        XCTAssertEqual(s.badMessages, 0)
        XCTAssertEqual(s.cases, Int(100 * scale))
    }

    func testFuzzMembers() {
        let members = traceMembers(rounds: 3, gammaMax: 2, vocab: 7).list
        let s = TraceFuzzer.fuzzMembers(members, seeds: 5000..<(5000 + 300 * scale), file: "member.npz")
        print("member fuzz: \(s)")
        XCTAssertEqual(s.badMessages, 0)
        XCTAssertEqual(s.cases, Int(300 * scale))
        XCTAssertGreaterThan(s.loaded, 0, "some mutations (e.g. of ignored padding) must still load")
        XCTAssertGreaterThan(s.rejected, 0)
    }

    func testFuzzStandaloneNpy() {
        let images = [
            NpyWriter.encode(float16Bits: [0x3C00, 0x7C00, 0x8000, 0x0001], shape: [2, 2]),
            NpyWriter.encode(ints: [1, -2, 3], shape: [3], as: .int64, version: 2),
            NpyWriter.encode(uint32s: [7], shape: [], version: 3),
        ]
        var cases = 0
        for seed in 0..<(200 * scale) {
            let image = images[Int(seed % 3)]
            let mutated = TraceFuzzer.mutate(image, seed: seed)
            do {
                let a = try NpyArray.parse(mutated, file: "x.npz", array: "a")
                XCTAssertEqual(a.count, a.shape.reduce(1, *))
                if a.dtype.isFloat { _ = try a.floats() } else { _ = try a.ints() }
                if a.rank > 0 && a.shape[0] > 0 { _ = try a.block(first: 0) }
            } catch let error as TraceError {
                XCTAssertTrue(error.description.hasPrefix("x.npz: array 'a': "), error.description)
            } catch {
                XCTFail("not a TraceError: \(error)")
            }
            cases += 1
        }
        XCTAssertEqual(cases, Int(200 * scale))
    }
}

private extension NpyArray {
    func block(first: Int) throws -> Int {
        dtype.isFloat ? try floatRow(first).count : dtype == .uint32 ? try uint32Row(first).count : try intRow(first).count
    }
}
