import Foundation
import Trace
import XCTest

final class SpeculativeTraceTests: XCTestCase {
    func load(_ members: Members, compressed: Bool = false, file: String = "trace.npz") throws -> SpeculativeTrace {
        try SpeculativeTrace(bytes: try members.archive(compressed: compressed), file: file)
    }

    func checkAccessors(_ t: SpeculativeTrace, R: Int, G: Int, V: Int, sampling: Bool, reference: Bool,
                        line: UInt = #line) {
        XCTAssertEqual(t.rounds, R, line: line)
        XCTAssertEqual(t.gammaMax, G, line: line)
        XCTAssertEqual(t.vocab, V, line: line)
        XCTAssertEqual(t.hasSamplingArrays, sampling, line: line)
        for r in 0..<R {
            let gamma = TraceValues.gamma(r, gammaMax: G)
            XCTAssertEqual(t.gamma(r), gamma, line: line)
            XCTAssertEqual(t.draftTokens(r), (0..<gamma).map { TraceValues.draftToken(r, $0, vocab: V) }, line: line)
            XCTAssertEqual(t.allDraftTokens(r), (0..<G).map { TraceValues.draftToken(r, $0, vocab: V) }, line: line)
            for i in 0...G {
                XCTAssertEqual(t.targetRow(round: r, row: i), (0..<V).map { TraceValues.target(r, i, $0) }, line: line)
            }
            if sampling {
                for i in 0..<G {
                    XCTAssertEqual(t.draftRow(round: r, row: i), (0..<V).map { TraceValues.draftLogit(r, i, $0) },
                                   line: line)
                }
                XCTAssertEqual(t.uniforms(r), (0...G).map { TraceValues.uniform(r, $0) }, line: line)
            } else {
                XCTAssertNil(t.draftRow(round: r, row: 0), line: line)
                XCTAssertNil(t.uniforms(r), line: line)
            }
            if reference {
                XCTAssertEqual(t.referenceAccepted(r), TraceValues.accepted(r, gammaMax: G), line: line)
                XCTAssertEqual(t.referenceNextToken(r), TraceValues.nextToken(r, vocab: V), line: line)
            } else {
                XCTAssertNil(t.referenceAccepted(r), line: line)
                XCTAssertNil(t.referenceNextToken(r), line: line)
            }
        }
    }

    func testValidTracesLoad() throws {
        for logits in [NpyDType.float16, .float32] {
            for index in [NpyDType.int32, .int64] {
                for compressed in [false, true] {
                    let t = try load(traceMembers(rounds: 5, gammaMax: 3, vocab: 13, logits: logits, index: index),
                                     compressed: compressed)
                    XCTAssertEqual(t.targetDType, logits)
                    XCTAssertEqual(t.draftDType, logits)
                    checkAccessors(t, R: 5, G: 3, V: 13, sampling: true, reference: true)
                }
            }
        }
    }

    func testGreedyOnlyTrace() throws {
        let t = try load(traceMembers(rounds: 3, gammaMax: 2, vocab: 4, sampling: false, reference: false))
        checkAccessors(t, R: 3, G: 2, V: 4, sampling: false, reference: false)
        XCTAssertFalse(t.hasUniforms)
        XCTAssertFalse(t.hasDraftLogits)
    }

    func testUniformsWithoutDraftLogits() throws {
        var m = traceMembers(rounds: 2, gammaMax: 2, vocab: 5)
        m["draft_logits"] = nil
        let t = try load(m)
        XCTAssertFalse(t.hasSamplingArrays)
        XCTAssertTrue(t.hasUniforms)
        XCTAssertEqual(t.uniforms(1), (0...2).map { TraceValues.uniform(1, $0) })
        XCTAssertNil(t.draftRow(round: 0, row: 0))
    }

    func testZeroGammaMaxAndEmptyTrace() throws {
        let t = try load(traceMembers(rounds: 3, gammaMax: 0, vocab: 6))
        XCTAssertEqual(t.gammaMax, 0)
        XCTAssertEqual(t.draftTokens(2), [])
        XCTAssertEqual(t.targetRow(round: 2, row: 0), (0..<6).map { TraceValues.target(2, 0, $0) })
        let empty = try load(traceMembers(rounds: 0, gammaMax: 2, vocab: 6))
        XCTAssertEqual(empty.rounds, 0)
    }

    func testNumpyWrittenTrace() throws {
        for bytes in [NumpyFixtures.savez, NumpyFixtures.savezCompressed] {
            let t = try SpeculativeTrace(bytes: bytes, file: "np.npz")
            XCTAssertEqual([t.rounds, t.gammaMax, t.vocab], [2, 2, 5])
            XCTAssertTrue(t.hasSamplingArrays)
            XCTAssertEqual(t.targetDType, .float16)
            XCTAssertEqual(t.draftDType, .float32)
            XCTAssertEqual(t.gamma(0), 2)
            XCTAssertEqual(t.gamma(1), 1)
            XCTAssertEqual(t.draftTokens(0), [2, 4])
            XCTAssertEqual(t.draftTokens(1), [1])
            XCTAssertEqual(t.allDraftTokens(1), [1, 0])
            XCTAssertEqual(t.targetRow(round: 0, row: 0).map(\.bitPattern), ([0.5, -1, 2, 0, -0.0] as [Float]).map(\.bitPattern))
            XCTAssertEqual(t.targetRow(round: 0, row: 2), [65504, -65504, 1023 * 0x1p-24, 0x1p-24, .infinity])
            XCTAssertEqual(t.targetRow(round: 1, row: 0), [-.infinity, 0, 1, 2, 3])
            XCTAssertEqual(t.draftRow(round: 1, row: 1), (15..<20).map { Float($0) / 7 })
            XCTAssertEqual(t.uniforms(0), [0, 1, 4_294_967_295])
            XCTAssertEqual(t.referenceAccepted(0), 1)
            XCTAssertEqual(t.referenceNextToken(0), 3)
            XCTAssertEqual(t.referenceAccepted(1), 0)
        }
    }

    func testLoadFromFile() throws {
        let path = temporaryPath("trace-file.npz")
        try NpzWriter.write(traceMembers(rounds: 2, gammaMax: 1, vocab: 3).list, to: path)
        let t = try SpeculativeTrace(contentsOf: path)
        XCTAssertEqual(t.file, path)
        checkAccessors(t, R: 2, G: 1, V: 3, sampling: true, reference: true)
        var bad = traceMembers(rounds: 2, gammaMax: 1, vocab: 3)
        bad["gamma"] = NpyWriter.encode(ints: [0, 2], shape: [2])
        try NpzWriter.write(bad.list, to: path)
        assertTraceError(["\(path): array 'gamma': round 1: gamma 2 outside 0…G = 0…1"]) {
            try SpeculativeTrace(contentsOf: path)
        }
    }

    func testExtraArraysAreIgnored() throws {
        var m = traceMembers(rounds: 2, gammaMax: 2, vocab: 5)
        m["prompt_tokens"] = NpyWriter.encode(ints: [1, 2, 3], shape: [3])
        m["model_name"] = NpyWriter.image(headerDict: NpyWriter.headerDict(descr: "<U4", shape: []),
                                          data: [UInt8](repeating: 0, count: 16))
        m["garbage"] = [1, 2, 3]
        let t = try load(m)
        checkAccessors(t, R: 2, G: 2, V: 5, sampling: true, reference: true)
    }

    // MARK: Errors

    func testErrorDescriptionFormat() throws {
        var m = traceMembers()
        m["gamma"] = NpyWriter.image(headerDict: NpyWriter.headerDict(descr: ">i4", shape: [4]),
                                     data: [UInt8](repeating: 0, count: 16))
        let error = assertTraceError([]) { try load(m) }
        XCTAssertEqual(error?.description,
                       "trace.npz: array 'gamma': unsupported dtype '>i4' (expected little-endian int32 or int64)")
        XCTAssertEqual(error?.file, "trace.npz")
        XCTAssertEqual(error?.array, "gamma")

        var shapes = traceMembers()
        shapes["draft_tokens"] = NpyWriter.encode(ints: Array(repeating: 0, count: 8), shape: [4, 2])
        XCTAssertEqual(assertTraceError([]) { try load(shapes) }?.description,
                       "trace.npz: arrays 'draft_tokens' [4, 2] and 'target_logits' [4, 4, 11] disagree: "
                       + "draft_tokens must be [R, G] = [4, 3]")
    }

    func testGammaOutOfRange() {
        var m = traceMembers(rounds: 4, gammaMax: 3)
        m["gamma"] = NpyWriter.encode(ints: [0, 1, 4, 3], shape: [4])
        assertTraceError(["trace.npz: array 'gamma': round 2: gamma 4 outside 0…G = 0…3",
                          "'target_logits' [4, 4, 11]"]) { try load(m) }
        m["gamma"] = NpyWriter.encode(ints: [0, -1, 2, 3], shape: [4], as: .int32)
        assertTraceError(["trace.npz: array 'gamma': round 1: gamma -1 outside 0…G = 0…3"]) { try load(m) }
    }

    func testWrongDTypes() {
        var m = traceMembers()
        m["gamma"] = NpyWriter.encode(floats: [0, 1, 2, 3], shape: [4], as: .float32)
        assertTraceError(["trace.npz: array 'gamma': unsupported dtype '<f4' (expected little-endian int32 or int64)"]) {
            try load(m)
        }
        m = traceMembers()
        m["target_logits"] = NpyWriter.encode(ints: Array(repeating: 0, count: 4 * 4 * 11), shape: [4, 4, 11])
        assertTraceError(["trace.npz: array 'target_logits': unsupported dtype '<i8' (expected little-endian "
                          + "float16 or float32)"]) { try load(m) }
        m = traceMembers()
        m["uniforms"] = NpyWriter.encode(ints: Array(repeating: 0, count: 16), shape: [4, 4], as: .int32)
        assertTraceError(["trace.npz: array 'uniforms': unsupported dtype '<i4' (expected little-endian uint32)"]) {
            try load(m)
        }
        m = traceMembers()
        m["draft_tokens"] = NpyWriter.encode(uint32s: Array(repeating: 0, count: 12), shape: [4, 3])
        assertTraceError(["trace.npz: array 'draft_tokens': unsupported dtype '<u4'"]) { try load(m) }
        m = traceMembers()
        m["draft_logits"] = NpyWriter.image(headerDict: NpyWriter.headerDict(descr: "<f8", shape: [4, 3, 11]),
                                            data: [UInt8](repeating: 0, count: 4 * 3 * 11 * 8))
        assertTraceError(["trace.npz: array 'draft_logits': unsupported dtype '<f8' (expected little-endian float16 "
                          + "or float32)"]) { try load(m) }
    }

    func testShapeDisagreements() {
        func expect(_ name: String, _ npy: [UInt8], _ fragments: [String], line: UInt = #line) {
            var m = traceMembers(rounds: 4, gammaMax: 3, vocab: 11)
            m[name] = npy
            assertTraceError(["trace.npz: "] + fragments, line: line) { try load(m) }
        }
        expect("gamma", NpyWriter.encode(ints: [0, 1, 2], shape: [3]),
               ["arrays 'gamma' [3] and 'target_logits' [4, 4, 11] disagree: gamma must be [R] = [4]"])
        expect("gamma", NpyWriter.encode(ints: [0, 1, 2, 3], shape: [4, 1]),
               ["array 'gamma': expected shape [R], got [4, 1]"])
        expect("draft_tokens", NpyWriter.encode(ints: Array(repeating: 0, count: 15), shape: [5, 3]),
               ["arrays 'draft_tokens' [5, 3] and 'target_logits' [4, 4, 11] disagree"])
        expect("draft_tokens", NpyWriter.encode(ints: Array(repeating: 0, count: 12), shape: [12]),
               ["array 'draft_tokens': expected shape [R, G], got [12]"])
        expect("draft_logits", NpyWriter.encode(floats: Array(repeating: 0, count: 4 * 3 * 10), shape: [4, 3, 10],
                                                as: .float16),
               ["arrays 'draft_logits' [4, 3, 10] and 'target_logits' [4, 4, 11] disagree: draft_logits must be "
                + "[R, G, V] = [4, 3, 11]"])
        expect("draft_logits", NpyWriter.encode(floats: Array(repeating: 0, count: 4 * 4 * 11), shape: [4, 4, 11]),
               ["arrays 'draft_logits' [4, 4, 11] and 'target_logits' [4, 4, 11] disagree"])
        expect("uniforms", NpyWriter.encode(uint32s: Array(repeating: 0, count: 12), shape: [4, 3]),
               ["arrays 'uniforms' [4, 3] and 'target_logits' [4, 4, 11] disagree: uniforms must be [R, G+1] = [4, 4]"])
        expect("accepted", NpyWriter.encode(ints: [0, 0], shape: [2], as: .int32),
               ["arrays 'accepted' [2] and 'target_logits' [4, 4, 11] disagree: accepted must be [R] = [4]"])
        expect("next_token", NpyWriter.encode(ints: [0, 0, 0, 0, 0], shape: [5], as: .int32),
               ["arrays 'next_token' [5] and 'target_logits' [4, 4, 11] disagree"])
        expect("target_logits", NpyWriter.encode(floats: Array(repeating: 0, count: 44), shape: [4, 11]),
               ["array 'target_logits': expected shape [R, G+1, V], got [4, 11]"])
        expect("target_logits", NpyWriter.encode(floats: [], shape: [4, 4, 0]),
               ["array 'target_logits': vocabulary size (last axis) is 0"])
        expect("target_logits", NpyWriter.encode(floats: [], shape: [4, 0, 11]),
               ["array 'target_logits': second axis is 0"])
    }

    func testMissingRequiredArrays() {
        for name in ["target_logits", "draft_tokens", "gamma"] {
            var m = traceMembers()
            m[name] = nil
            assertTraceError(["trace.npz: array '\(name)': missing from the archive"]) { try load(m) }
        }
    }

    func testReferenceValuesOutOfRange() {
        var m = traceMembers(rounds: 4, gammaMax: 3, vocab: 11)
        m["accepted"] = NpyWriter.encode(ints: [0, 2, 0, 0], shape: [4], as: .int32)  // gamma(1) = 1
        assertTraceError(["trace.npz: array 'accepted': round 1: accepted 2 outside 0…gamma = 0…1"]) { try load(m) }
        m = traceMembers(rounds: 4, gammaMax: 3, vocab: 11)
        m["next_token"] = NpyWriter.encode(ints: [0, 11, 0, 0], shape: [4], as: .int32)
        assertTraceError(["trace.npz: array 'next_token': round 1: next_token 11 outside 0…V-1 = 0…10"]) { try load(m) }
        m["next_token"] = NpyWriter.encode(ints: [0, 0, -3, 0], shape: [4], as: .int32)
        assertTraceError(["trace.npz: array 'next_token': round 2: next_token -3"]) { try load(m) }
    }

    func testDraftTokens() throws {
        // Negative tokens inside γ are refused; past γ they are padding and ignored; tokens ≥ V are allowed
        // (the verifier flags them as bad_draft).
        var m = traceMembers(rounds: 3, gammaMax: 2, vocab: 5)  // gammas 0, 1, 2
        m["draft_tokens"] = NpyWriter.encode(ints: [-1, -1, 4, -1, 0, -7], shape: [3, 2])
        assertTraceError(["trace.npz: array 'draft_tokens': round 2 position 1: negative token -7"]) { try load(m) }
        m["draft_tokens"] = NpyWriter.encode(ints: [-1, -1, 99, -1, 0, 5], shape: [3, 2])
        let t = try load(m)
        XCTAssertEqual(t.draftTokens(0), [])
        XCTAssertEqual(t.draftTokens(1), [99])
        XCTAssertEqual(t.draftTokens(2), [0, 5])
    }

    func testContainerErrorsNameTheFile() {
        assertTraceError(["bad.npz: not a zip archive"]) { try SpeculativeTrace(bytes: [0, 1, 2], file: "bad.npz") }
        assertTraceError(["/nope/t.npz: cannot read file: no such file"]) {
            try SpeculativeTrace(contentsOf: "/nope/t.npz")
        }
    }
}

final class SpeculativeTraceLimitTests: XCTestCase {
    func testEmptyTraceWithAbsurdAxes() throws {
        var m = traceMembers(rounds: 0, gammaMax: 2, vocab: 5, sampling: false, reference: false)
        m["target_logits"] = NpyWriter.image(headerDict: NpyWriter.headerDict(descr: "<f2", shape: [0, 3, 1 << 40]),
                                             data: [])
        assertTraceError(["t.npz: array 'target_logits': vocabulary size 1099511627776 exceeds the limit of 16777216"]) {
            try SpeculativeTrace(bytes: try m.archive(), file: "t.npz")
        }
        m["target_logits"] = NpyWriter.image(headerDict: NpyWriter.headerDict(descr: "<f2", shape: [0, 1 << 20, 5]),
                                             data: [])
        assertTraceError(["t.npz: array 'target_logits': G = 1048575 exceeds the limit of 65536"]) {
            try SpeculativeTrace(bytes: try m.archive(), file: "t.npz")
        }
    }

    func testZip64EndOfCentralDirectory() throws {
        let base = try traceMembers(rounds: 1, gammaMax: 1, vocab: 2).archive()
        let eocd = try XCTUnwrap(ZipPatch.offsets(of: 0x0605_4B50, in: base).last)
        let cdSize = ZipPatch.read32(base, eocd + 12)
        let cdOffset = ZipPatch.read32(base, eocd + 16)
        let entries = Int(base[eocd + 10]) | Int(base[eocd + 11]) << 8
        // Insert a ZIP64 EOCD record + locator before the classic record, and mark the classic one as ZIP64.
        func build(recordOffset: UInt64? = nil, directoryOffset: UInt64) -> [UInt8] {
            var out = Array(base[0..<eocd])
            let recordAt = UInt64(out.count)
            func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
            func u32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
            func u64(_ v: UInt64) { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
            u32(0x0606_4B50); u64(44); u16(45); u16(45); u32(0); u32(0)
            u64(UInt64(entries)); u64(UInt64(entries)); u64(UInt64(cdSize)); u64(directoryOffset)
            u32(0x0706_4B50); u32(0); u64(recordOffset ?? recordAt); u32(1)
            var classic = Array(base[eocd...])
            ZipPatch.write32(&classic, 16, 0xFFFF_FFFF)
            return out + classic
        }
        let good = try SpeculativeTrace(bytes: build(directoryOffset: UInt64(cdOffset)), file: "z64.npz")
        XCTAssertEqual(good.rounds, 1)
        assertTraceError(["z64.npz: corrupt zip archive: central directory (offset 9223372036854775808"]) {
            try SpeculativeTrace(bytes: build(directoryOffset: 1 << 63), file: "z64.npz")
        }
        for bad: UInt64 in [UInt64.max, 1 << 63, 5] {
            assertTraceError(["z64.npz: corrupt zip archive: bad ZIP64 end-of-central-directory record"]) {
                try SpeculativeTrace(bytes: build(recordOffset: bad, directoryOffset: UInt64(cdOffset)), file: "z64.npz")
            }
        }
    }
}
