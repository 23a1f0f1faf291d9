import Foundation
import XCTest

/// `hades-sim --serve` (rounds from stdin, the RTL deciding each, cross-checked with the golden model) and the live
/// generator on top of it (tools/generate.py with the real SmolLM2-135M model).
final class LiveServeTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    var hadesSim: URL {
        let bundle = Bundle(for: LiveServeTests.self).bundleURL
        let candidates = [bundle.appendingPathComponent("hades-sim"),
                          bundle.deletingLastPathComponent().appendingPathComponent("hades-sim")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    struct Run {
        let status: Int32
        let lines: [[String: Any]]
        let stdout: String
        let stderr: String
    }

    func run(_ exe: URL, _ args: [String], input: Data = Data()) throws -> Run {
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        let inPipe = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = inPipe
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Write from another thread: the answers fill the stdout pipe while frames are still going in.
        let writer = Thread {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        var errData = Data()
        let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while errReader.isExecuting { usleep(1000) }
        let stdout = String(decoding: o, as: UTF8.self)
        let lines = stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.filter { $0["ready"] == nil }
        return Run(status: p.terminationStatus, lines: lines, stdout: stdout, stderr: String(decoding: errData, as: UTF8.self))
    }

    // MARK: frames

    func frame(gamma: Int, flags: UInt32 = 0, seed: UInt64 = 0, drafts: [Int], uniforms: [UInt32] = [],
               rows: [Float]) -> Data {
        var d = Data()
        func put<T>(_ v: T) { withUnsafeBytes(of: v) { d.append(contentsOf: $0) } }
        put(UInt32(0x5253_4448).littleEndian)
        put(UInt32(gamma).littleEndian)
        put(flags.littleEndian)
        put(seed.littleEndian)
        for x in drafts { put(Int32(x).littleEndian) }
        for u in uniforms { put(u.littleEndian) }
        for v in rows { put(v.bitPattern.littleEndian) }
        return d
    }

    /// Seeded pseudo-random logits in [-8, 8).
    func randomRows(_ count: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<count).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(s >> 40) % 16000) / 1000 - 8
        }
    }

    func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = row.startIndex
        for i in row.indices where row[i] > row[best] { best = i }
        return best - row.startIndex
    }

    // MARK: tests

    func testServeGreedyRoundsFollowTheArgmaxOfEachRow() throws {
        let v = 1000
        var input = Data()
        var expected: [(n: Int, token: Int, emitted: [Int])] = []
        // γ = 3 with the third draft wrong; γ = 0; γ = 4 all right (bonus token).
        for (r, (gamma, wrongAt)) in [(3, 2), (0, -1), (4, -1)].enumerated() {
            let rows = randomRows((gamma + 1) * v, seed: UInt64(r + 1))
            let best = (0...gamma).map { argmax(rows[$0 * v..<($0 + 1) * v]) }
            let drafts = (0..<gamma).map { $0 == wrongAt ? (best[$0] + 1) % v : best[$0] }
            let n = wrongAt >= 0 ? wrongAt : gamma
            expected.append((n, best[n], Array(drafts.prefix(n)) + [best[n]]))
            input += frame(gamma: gamma, drafts: drafts, rows: rows)
        }
        let r = try run(hadesSim, ["--serve", "--vocab", "\(v)", "--gamma-max", "4", "--lanes", "4", "--mode", "greedy"],
                        input: input)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.lines.count, 3, r.stdout)
        for (i, e) in expected.enumerated() where i < r.lines.count {
            let line = r.lines[i]
            XCTAssertEqual(line["round"] as? Int, i)
            XCTAssertEqual(line["accepted"] as? Int, e.n, "round \(i)")
            XCTAssertEqual(line["token"] as? Int, e.token, "round \(i)")
            XCTAssertEqual(line["emitted"] as? [Int], e.emitted, "round \(i)")
            XCTAssertEqual(line["flags"] as? [String], [])
            // B = 250 beats a row; a round streams at least its n+1 inspected rows.
            XCTAssertGreaterThanOrEqual(line["cycles"] as? Int ?? 0, (e.n + 1) * 250, "round \(i)")
        }
    }

    /// Rows with one dominant logit (+100 in fixed16.8, probability 1 − 999·e^−100): a one-hot draft of that token is
    /// accepted whatever the uniform, any other draft is rejected and the dominant token is drawn instead.
    func testServeSamplingOneHotAcceptsTheCertainTokenAndReplacesAnImpossibleOne() throws {
        let v = 1000
        let spikes = [17, 503, 999]
        var rows = [Float](repeating: 0, count: 3 * v)
        for (i, k) in spikes.enumerated() { rows[i * v + k] = 100 }
        let drafts = [17, 4]  // accepted, then rejected (4 has probability ~e^-100)
        let hostFrame = frame(gamma: 2, flags: 1, drafts: drafts, uniforms: [0xFFFF_FFF0, 0x8000_0000, 0x1234_5678], rows: rows)
        let chipFrame = frame(gamma: 2, flags: 3, seed: 0xDEAD_BEEF_1234, drafts: drafts, rows: rows)
        let r = try run(hadesSim, ["--serve", "--vocab", "\(v)", "--gamma-max", "4", "--lanes", "4", "--mode", "sampling"],
                        input: hostFrame + chipFrame)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.lines.count, 2, r.stdout)
        for line in r.lines {
            XCTAssertEqual(line["accepted"] as? Int, 1, "\(line)")
            XCTAssertEqual(line["token"] as? Int, 503, "\(line)")
            XCTAssertEqual(line["emitted"] as? [Int], [17, 503])
        }
    }

    func testServeRefusesABadFrameWithExit2AndNoRound() throws {
        var bad = frame(gamma: 0, drafts: [], rows: [Float](repeating: 0, count: 10))
        bad[0] = 0x58
        let r = try run(hadesSim, ["--serve", "--vocab", "10", "--gamma-max", "2", "--lanes", "2", "--golden-only"], input: bad)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.lines.isEmpty, r.stdout)
        XCTAssertTrue(r.stderr.contains("bad frame magic"), r.stderr)
        let short = frame(gamma: 1, drafts: [3], rows: [Float](repeating: 0, count: 7))
        let r2 = try run(hadesSim, ["--serve", "--vocab", "10", "--gamma-max", "2", "--lanes", "2", "--golden-only"], input: short)
        XCTAssertEqual(r2.status, 2)
        XCTAssertTrue(r2.stderr.contains("frame ended"), r2.stderr)
    }

    /// The real model, a tiny prompt, 8 tokens: the RTL decides every round and the text is token for token what plain
    /// greedy decoding (one token per forward, float32 argmax) produces (`--check-plain` exits 1 otherwise).
    func testLiveGreedyGenerationWithTheRTLEqualsPlainGreedyDecoding() throws {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("hades-live-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: json) }
        let r = try run(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Self.root.appendingPathComponent("tools/generate.py").path,
            "--prompt-file", Self.root.appendingPathComponent("tools/prompts/tiny.txt").path,
            "--max-new", "8", "--gamma", "4", "--verifier", "rtl", "--hades-sim", hadesSim.path,
            "--check-plain", "--json", json.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("plain greedy check: identical"), r.stderr)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let tokens = try XCTUnwrap(doc["tokens"] as? [Int])
        let rounds = try XCTUnwrap(doc["rounds"] as? [[String: Any]])
        XCTAssertEqual(tokens.count, 8)
        XCTAssertFalse((doc["text"] as? String ?? "").isEmpty)
        XCTAssertGreaterThan((doc["prompt_tokens"] as? [Int] ?? []).count, 10)
        // Every round came from the RTL (cycles), and the rounds rebuild the tokens.
        var rebuilt: [Int] = []
        for round in rounds {
            let proposed = try XCTUnwrap(round["proposed"] as? [Int]), n = try XCTUnwrap(round["accepted"] as? Int)
            XCTAssertEqual(round["gamma"] as? Int, proposed.count)
            XCTAssertGreaterThanOrEqual(round["cycles"] as? Int ?? 0, (n + 1) * 3072)
            rebuilt += proposed.prefix(n) + [try XCTUnwrap(round["token"] as? Int)]
        }
        XCTAssertEqual(rebuilt, tokens)
        XCTAssertTrue(rounds.contains { ($0["accepted"] as? Int ?? 0) > 0 }, "the repeat prompt lets prompt lookup hit")
    }
}
