import Foundation
import Trace
import XCTest

/// Asserts that `body` throws a `TraceError` whose description contains every fragment; returns the error.
@discardableResult
func assertTraceError<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> T) -> TraceError? {
    do {
        _ = try body()
        XCTFail("expected a TraceError containing \(fragments), got success", file: file, line: line)
        return nil
    } catch let error as TraceError {
        let text = error.description
        for fragment in fragments where !text.contains(fragment) {
            XCTFail("error \"\(text)\" does not contain \"\(fragment)\"", file: file, line: line)
        }
        XCTAssertFalse(text.contains("\n"), "error description must be one line: \(text)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected a TraceError, got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// An ordered list of npz members, easy to edit per test.
struct Members {
    var list: [(name: String, npy: [UInt8])]

    subscript(name: String) -> [UInt8]? {
        get { list.first { $0.name == name }?.npy }
        set {
            if let i = list.firstIndex(where: { $0.name == name }) {
                if let newValue { list[i].npy = newValue } else { list.remove(at: i) }
            } else if let newValue {
                list.append((name, newValue))
            }
        }
    }

    func archive(compressed: Bool = false) throws -> [UInt8] {
        try NpzWriter.archive(list, compressed: compressed)
    }
}

/// Deterministic contents of a small trace.
enum TraceValues {
    static func target(_ r: Int, _ i: Int, _ v: Int) -> Float {
        Float((r * 31 + i * 7 + v * 3) % 17) - 8.5  // exact in float16
    }
    static func draftLogit(_ r: Int, _ i: Int, _ v: Int) -> Float {
        Float((r * 13 + i * 5 + v * 11) % 23) * 0.25 - 2
    }
    static func draftToken(_ r: Int, _ i: Int, vocab: Int) -> Int { (r * 2 + i * 3 + 1) % vocab }
    static func gamma(_ r: Int, gammaMax: Int) -> Int { r % (gammaMax + 1) }
    static func uniform(_ r: Int, _ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: (r * 1000 + i) &* 2_654_435_761) }
    static func accepted(_ r: Int, gammaMax: Int) -> Int { gamma(r, gammaMax: gammaMax) / 2 }
    static func nextToken(_ r: Int, vocab: Int) -> Int { (r * 3) % vocab }
}

/// The members of a valid trace with R rounds, draft length G and vocabulary V.
func traceMembers(rounds R: Int = 4, gammaMax G: Int = 3, vocab V: Int = 11, logits: NpyDType = .float16,
                  index: NpyDType = .int64, sampling: Bool = true, reference: Bool = true) -> Members {
    var target: [Float] = []
    for r in 0..<R { for i in 0...G { for v in 0..<V { target.append(TraceValues.target(r, i, v)) } } }
    var drafts: [Int] = []
    for r in 0..<R { for i in 0..<G { drafts.append(TraceValues.draftToken(r, i, vocab: V)) } }
    let gammas = (0..<R).map { TraceValues.gamma($0, gammaMax: G) }
    var members = Members(list: [
        ("target_logits", NpyWriter.encode(floats: target, shape: [R, G + 1, V], as: logits)),
        ("draft_tokens", NpyWriter.encode(ints: drafts, shape: [R, G], as: index)),
        ("gamma", NpyWriter.encode(ints: gammas, shape: [R], as: index)),
    ])
    if sampling {
        var draftLogits: [Float] = []
        for r in 0..<R { for i in 0..<G { for v in 0..<V { draftLogits.append(TraceValues.draftLogit(r, i, v)) } } }
        var uniforms: [UInt32] = []
        for r in 0..<R { for i in 0...G { uniforms.append(TraceValues.uniform(r, i)) } }
        members["draft_logits"] = NpyWriter.encode(floats: draftLogits, shape: [R, G, V], as: logits)
        members["uniforms"] = NpyWriter.encode(uint32s: uniforms, shape: [R, G + 1])
    }
    if reference {
        members["accepted"] = NpyWriter.encode(ints: (0..<R).map { TraceValues.accepted($0, gammaMax: G) }, shape: [R],
                                               as: .int32)
        members["next_token"] = NpyWriter.encode(ints: (0..<R).map { TraceValues.nextToken($0, vocab: V) }, shape: [R],
                                                 as: .int32)
    }
    return members
}

/// Little-endian field patching in zip images (central directory entries).
enum ZipPatch {
    static func offsets(of signature: UInt32, in bytes: [UInt8]) -> [Int] {
        guard bytes.count >= 4 else { return [] }
        return (0...(bytes.count - 4)).filter { i in
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                == signature
        }
    }

    static func centralEntries(_ bytes: [UInt8]) -> [Int] { offsets(of: 0x0201_4B50, in: bytes) }
    static func localHeaders(_ bytes: [UInt8]) -> [Int] { offsets(of: 0x0403_4B50, in: bytes) }

    static func read32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    static func write32(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
    }

    static func write16(_ bytes: inout [UInt8], _ at: Int, _ value: UInt16) {
        bytes[at] = UInt8(value & 0xFF)
        bytes[at + 1] = UInt8(value >> 8)
    }

    /// Central directory offset of the member called `name`.
    static func centralEntry(named name: String, in bytes: [UInt8]) -> Int? {
        centralEntries(bytes).first { at in
            let n = Int(bytes[at + 28]) | Int(bytes[at + 29]) << 8
            return at + 46 + n <= bytes.count && Array(bytes[(at + 46)..<(at + 46 + n)]) == Array(name.utf8)
        }
    }
}

func temporaryPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("TraceTests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}
