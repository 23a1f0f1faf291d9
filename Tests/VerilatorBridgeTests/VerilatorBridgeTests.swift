import Foundation
import TestSupport
import XCTest
@testable import VerilatorBridge

final class VerilatorBridgeTests: XCTestCase {
    // MARK: per-cycle access

    func testCounterMatchesSwiftModel() throws {
        let m = try VerilatedModel.build(Designs.counter)
        let en = try m.port("en"), q = try m.port("q")
        try m.reset()
        XCTAssertEqual(m.peek(q), 0)
        var rng = SplitMix64(seed: 7)
        var expected: UInt64 = 0
        let start = m.cycle
        for _ in 0..<1000 {
            let e = rng.chance(0.7)
            try m.poke(en, e ? 1 : 0)
            try m.step()
            if e { expected = (expected + 1) & 0xFF }
            XCTAssertEqual(m.peek(q), expected)
        }
        XCTAssertEqual(m.cycle - start, 1000)
        // Synchronous reset.
        try m.reset(cycles: 1)
        XCTAssertEqual(m.peek(q), 0)
    }

    func testWidePortsRoundTrip() throws {
        let m = try VerilatedModel.build(Designs.wide)
        let a = try m.port("a"), b = try m.port("b"), y = try m.port("y"), z = try m.port("z"), c = try m.port("c")
        XCTAssertEqual(a.wordCount, 4)
        XCTAssertEqual(b.wordCount, 2)
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let av = randomWide(100, &rng)
            let bv = rng.next() & ((1 << 48) - 1)
            try m.poke(a, words: av)
            try m.poke(b, bv)
            try m.eval()
            XCTAssertEqual(m.peekWords(c), fromBits(100) { 1 - bit(av, $0) }, "combinational ~a")
            try m.step()
            XCTAssertEqual(m.peekWords(y), fromBits(100) { bit(av, $0) ^ bit(av, ($0 + 1) % 100) })
            XCTAssertEqual(m.peek(z), (bv + 1) & ((1 << 48) - 1))
            XCTAssertEqual(m.peekWords(z), [UInt32(truncatingIfNeeded: (bv + 1)), UInt32((bv + 1) >> 32) & 0xFFFF])
        }
        // All ones round-trips; the top word is masked to the port width.
        let ones = fromBits(100) { _ in 1 }
        try m.poke(a, words: ones)
        try m.step()
        XCTAssertEqual(m.peekWords(y), [UInt32](repeating: 0, count: 4))
        XCTAssertEqual(m.peekWords(c), [UInt32](repeating: 0, count: 4))
        // Short word arrays are zero-extended; a 64-bit poke of a wide port too.
        try m.poke(a, words: [5])
        try m.eval()
        XCTAssertEqual(m.peekWords(c), [~5, ~0, ~0, 0xF])
        try m.poke(a, 0xFFFF_FFFF_FFFF_FFFF)
        try m.eval()
        XCTAssertEqual(m.peekWords(c), [0, 0, ~0, 0xF])

        // Values wider than the port are rejected, and so is poking an output.
        XCTAssertThrowsError(try m.poke(b, 1 << 48))
        XCTAssertThrowsError(try m.poke(a, words: [0, 0, 0, 0x10]))
        XCTAssertThrowsError(try m.poke(a, words: [0, 0, 0, 0, 1]))
        XCTAssertNoThrow(try m.poke(a, words: [0, 0, 0, 0xF, 0]))
        XCTAssertThrowsError(try m.poke(y, 1))
        XCTAssertThrowsError(try m.port("nope"))
    }

    // MARK: $finish / $stop / $fatal

    func testFinishStopFatalBecomeErrors() throws {
        for (mode, expected, fragment) in [
            (1, VerilatorBridgeError.SimulationEnd.finish, "$finish"),
            (2, .stop, "$stop"),
            (3, .stop, "boom at cnt=5"),
        ] as [(UInt64, VerilatorBridgeError.SimulationEnd, String)] {
            let m = try VerilatedModel.build(Designs.stopper)
            try m.reset()
            try m.poke("mode", mode)
            var caught: VerilatorBridgeError?
            do {
                try m.step(100)
            } catch let e as VerilatorBridgeError {
                caught = e
            }
            guard case .simulation(let end, let message)? = caught else {
                XCTFail("mode \(mode): expected a simulation error, got \(String(describing: caught))")
                continue
            }
            XCTAssertEqual(end, expected, "mode \(mode)")
            XCTAssertTrue(message.contains(fragment), "mode \(mode): \(message)")
            XCTAssertTrue(message.contains("stopper.v:"), "mode \(mode): \(message)")
            XCTAssertLessThan(m.cycle, 10, "stopped early, at cycle \(m.cycle)")
            // Sticky: the model refuses to go on.
            XCTAssertThrowsError(try m.step())
            XCTAssertThrowsError(try m.eval())
        }
        // The process is alive and a fresh instance of the same library works.
        let m = try VerilatedModel.build(Designs.stopper)
        try m.reset()
        try m.poke("mode", 0)
        try m.step(300)
        XCTAssertEqual(try m.peek("cnt"), 300 & 0xFF)
    }

    func testRuntimeFatalBecomesError() throws {
        let m = try VerilatedModel.build(Designs.loopy)
        try m.poke("go", 0)
        try m.step(3)
        XCTAssertEqual(try m.peek("y"), 0)
        try m.poke("go", 1)
        XCTAssertThrowsError(try m.step()) { error in
            guard case VerilatorBridgeError.simulation(.fatal, let message) = error else {
                return XCTFail("expected a fatal simulation error, got \(error)")
            }
            XCTAssertTrue(message.contains("converge"), message)
        }
        XCTAssertThrowsError(try m.step())
    }

    // MARK: several libraries at once

    func testTwoDesignsWithSameModuleNameLoadedAtOnce() throws {
        let plus1 = try VerilatedModel.build(Designs.adder(1))
        let plus2 = try VerilatedModel.build(Designs.adder(2))
        let other = try VerilatedModel.build(Designs.counter)
        XCTAssertNotEqual(plus1.buildInfo.key, plus2.buildInfo.key)
        try other.reset()
        try other.poke("en", 1)
        for x: UInt64 in [0, 1, 100, 0xFFFF_FFFF] {
            try plus1.poke("x", x)
            try plus2.poke("x", x)
            try plus1.step()
            try other.step()
            try plus2.step()
            XCTAssertEqual(try plus1.peek("y"), (x + 1) & 0xFFFF_FFFF)
            XCTAssertEqual(try plus2.peek("y"), (x + 2) & 0xFFFF_FFFF)
        }
        XCTAssertEqual(try other.peek("q"), 4)
        // Two instances of one library are independent too.
        let again = try VerilatedModel.build(Designs.adder(1))
        try again.poke("x", 41)
        try again.step()
        XCTAssertEqual(try again.peek("y"), 42)
        XCTAssertEqual(try plus1.peek("y"), 0)
    }

    // MARK: cache

    func testCacheHitIsFastAndChangedDesignRebuilds() throws {
        let first = try VerilatedModel.build(Designs.counter)
        let hit = try VerilatedModel.build(Designs.counter)
        XCTAssertTrue(hit.buildInfo.cacheHit)
        XCTAssertEqual(first.buildInfo.key, hit.buildInfo.key)
        XCTAssertLessThan(hit.buildInfo.totalSeconds, 0.5)
        print("[bridge] counter: first build() in this process \(fmt(first.buildInfo.totalSeconds)) s "
              + "(cache hit: \(first.buildInfo.cacheHit), build \(fmt(first.buildInfo.buildSeconds)) s); "
              + "second build() \(fmt(hit.buildInfo.totalSeconds)) s")

        // A design nobody has built yet (unique comment) rebuilds under a different key. Two threads
        // build it at once, bypassing the in-process lock (as two processes would): both succeed and
        // agree on one cache entry, and no temporary directory is left behind.
        var changed = Designs.counter
        changed.files["counter.v"]! += "\n// nonce \(UUID().uuidString)\n"
        let design = changed
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            results.append(Result { try ModelBuilder.build(design, waves: false) })
        }
        let built = try results.values.map { try $0.get() }
        XCTAssertEqual(built.count, 2)
        XCTAssertEqual(built[0].libraryPath, built[1].libraryPath)
        XCTAssertNotEqual(built[0].key, first.buildInfo.key)
        XCTAssertTrue(built.contains { !$0.cacheHit })
        let parent = (built[0].directory as NSString).deletingLastPathComponent
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: parent)
            .filter { $0.hasPrefix(".tmp-counter-\(built[0].key)") }
        XCTAssertEqual(leftovers, [])
        print("[bridge] small design build (verilate + compile + link), two racing builds: "
              + built.map { fmt($0.buildSeconds) + " s" }.joined(separator: ", "))
        let rebuilt = try VerilatedModel.build(changed)
        XCTAssertTrue(rebuilt.buildInfo.cacheHit)
        XCTAssertTrue(FileManager.default.fileExists(atPath: rebuilt.buildInfo.directory + "/libhades_model.so"))

        // The first load of this key in this process: hash + copy + dlopen.
        XCTAssertLessThan(rebuilt.buildInfo.totalSeconds, 0.5)
        print("[bridge] cache hit, first load in this process: \(fmt(rebuilt.buildInfo.totalSeconds)) s")
        try rebuilt.reset()
        try rebuilt.poke("en", 1)
        try rebuilt.step(3)
        XCTAssertEqual(try rebuilt.peek("q"), 3)
        // The entry is unique to this run: remove it (the loaded copy is unaffected).
        try FileManager.default.removeItem(atPath: rebuilt.buildInfo.directory)
        try rebuilt.step()
        XCTAssertEqual(try rebuilt.peek("q"), 4)

        // Other things that change the key: waves, ports, flags.
        let tc = try Toolchain.current()
        let k0 = try ModelBuilder.designKey(Designs.counter, waves: false, tc)
        XCTAssertNotEqual(k0, try ModelBuilder.designKey(Designs.counter, waves: true, tc))
        var d = Designs.counter
        d.verilatorArgs = ["-Wno-WIDTH"]
        XCTAssertNotEqual(k0, try ModelBuilder.designKey(d, waves: false, tc))
        d = Designs.counter
        d.ports.removeLast()
        XCTAssertNotEqual(k0, try ModelBuilder.designKey(d, waves: false, tc))
    }

    func testSHA256KnownAnswers() {
        func hex(_ s: String) -> String { var h = SHA256(); h.update(Array(s.utf8)); return h.hexDigest() }
        XCTAssertEqual(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Fed in uneven pieces.
        var h = SHA256()
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var i = 0, step = 1
        while i < million.count { let j = min(million.count, i + step); h.update(Array(million[i..<j])); i = j; step = step % 97 + 13 }
        XCTAssertEqual(h.hexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testPublishRaceKeepsOneEntry() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hades-race-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = try ModelBuilder.makeTempDir(parent: root, tag: "x")
        let b = try ModelBuilder.makeTempDir(parent: root, tag: "x")
        try "a".write(toFile: a + "/lib", atomically: false, encoding: .utf8)
        try "b".write(toFile: b + "/lib", atomically: false, encoding: .utf8)
        try ModelBuilder.publish(tmp: a, final: root + "/entry", marker: "lib")
        try ModelBuilder.publish(tmp: b, final: root + "/entry", marker: "lib")
        XCTAssertEqual(try String(contentsOfFile: root + "/entry/lib", encoding: .utf8), "a")
        XCTAssertFalse(FileManager.default.fileExists(atPath: b))
    }

    // MARK: build errors

    func testBuildErrorsAreThrownWithToolOutput() throws {
        let bad = VerilogDesign(verilog: "module broken (input aclk, output y);\n  assign y = ;\nendmodule\n",
                                top: "broken", ports: [.output("y")])
        XCTAssertThrowsError(try VerilatedModel.build(bad)) { error in
            guard case VerilatorBridgeError.buildFailed(let stage, _, let log) = error else {
                return XCTFail("expected buildFailed, got \(error)")
            }
            XCTAssertTrue(stage.contains("verilation"), stage)
            XCTAssertTrue(log.contains("%Error"), log)
        }
        // Lint warnings are fatal by default.
        var loop = Designs.loopy
        loop.verilatorArgs = []
        XCTAssertThrowsError(try VerilatedModel.build(loop)) { error in
            XCTAssertTrue("\(error)".contains("UNOPTFLAT"), "\(error)")
        }
        // Port list mismatches.
        var d = Designs.counter
        d.ports = [.input("aresetn"), .input("en"), .output("q", 9)]
        XCTAssertThrowsError(try VerilatedModel.build(d)) { error in
            guard case VerilatorBridgeError.portMismatch(let m) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(m.contains("'q' is 8 bits wide"), m)
        }
        d.ports = [.input("aresetn"), .input("en"), .input("q", 8)]
        XCTAssertThrowsError(try VerilatedModel.build(d))
        d.ports = [.input("enable")]
        XCTAssertThrowsError(try VerilatedModel.build(d))
        d = Designs.counter
        d.clock = "clk"
        XCTAssertThrowsError(try VerilatedModel.build(d))
    }

    // MARK: waves

    func testWavesWriteAnFSTFile() throws {
        let m = try VerilatedModel.build(Designs.counter, waves: true)
        XCTAssertTrue(m.waves)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hades-\(UUID().uuidString).fst").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try m.startWaves(to: path)
        try m.reset()
        try m.poke("en", 1)
        try m.step(100)
        XCTAssertEqual(try m.peek("q"), 100)
        m.stopWaves()
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        XCTAssertGreaterThan(size, 0)
        // Reopen on the same instance.
        try m.startWaves(to: path)
        try m.step(10)
        m.stopWaves()
        XCTAssertEqual(try m.peek("q"), 110)

        let plain = try VerilatedModel.build(Designs.counter)
        XCTAssertThrowsError(try plain.startWaves(to: path))
    }

    // MARK: stream engine

    func testStreamEngineDeliversEveryBeatInOrder() throws {
        let m = try VerilatedModel.build(Designs.fifo)
        try m.reset()
        var rng = SplitMix64(seed: 99)
        let n = 3000
        var beats: [[UInt32]] = []
        var lasts: [Bool] = []
        for i in 0..<n {
            beats.append(randomWide(100, &rng) + [UInt32(i & 0xFFFF)])
            lasts.append(i % 7 == 6)
        }
        for (gap, readyP) in [(0.0, 1.0), (0.3, 0.6), (0.8, 0.2), (0.1, 0.95)] {
            let cycle0 = m.cycle
            let run = try m.runStreams(
                sources: [StreamSource(valid: "s_valid", ready: "s_ready", data: ["s_data", "s_user"], last: "s_last",
                                       beats: beats, lasts: lasts, gapProbability: gap, seed: 5)],
                sinks: [StreamSink(valid: "m_valid", ready: "m_ready", data: ["m_data", "m_user"], last: "m_last",
                                   expectedBeats: n, readyProbability: readyP, seed: 6)],
                maxCycles: 1_000_000)
            let sink = run.sinks[0]
            XCTAssertEqual(sink.beatCount, n)
            XCTAssertEqual(sink.wordsPerBeat, 5)
            XCTAssertTrue(sink.beats == beats, "gap \(gap), ready \(readyP): beats differ")
            XCTAssertEqual(sink.lasts, lasts)
            XCTAssertEqual(sink.extraBeats, 0)
            XCTAssertEqual(run.sources[0].handshakeCycles.count, n)
            XCTAssertEqual(m.cycle - cycle0, run.cycles)
            let hs = sink.handshakeCycles
            XCTAssertTrue(zip(hs, hs.dropFirst()).allSatisfy { $0 < $1 }, "one beat per cycle, increasing")
            // Through a registered FIFO each beat leaves at least one cycle after it entered.
            XCTAssertTrue(zip(run.sources[0].handshakeCycles, hs).allSatisfy { $0 < $1 })
            XCTAssertTrue(hs.allSatisfy { $0 >= cycle0 && $0 < cycle0 + run.cycles })
            if gap == 0 && readyP == 1 {
                XCTAssertLessThanOrEqual(run.cycles, UInt64(n + 3), "full throughput")
            }
            print("[bridge] fifo stream gap \(gap) ready \(readyP): \(n) beats in \(run.cycles) cycles")
        }
        // The engine leaves valid/ready low; per-cycle access still works afterwards.
        try m.step(3)
        XCTAssertEqual(try m.peek("m_valid"), 0)
    }

    func testStreamEngineCycleLimitAndArguments() throws {
        let m = try VerilatedModel.build(Designs.fifo)
        try m.reset()
        // The sink expects more beats than the source sends: the limit stops it, the model stays usable.
        XCTAssertThrowsError(try m.runStreams(
            sources: [StreamSource(valid: "s_valid", ready: "s_ready", data: ["s_data", "s_user"],
                                   beats: [[1, 2, 3, 4, 5]])],
            sinks: [StreamSink(valid: "m_valid", ready: "m_ready", data: ["m_data", "m_user"], expectedBeats: 2)],
            maxCycles: 50)) { error in
                guard case VerilatorBridgeError.simulation(.cycleLimit, let message) = error else {
                    return XCTFail("expected cycleLimit, got \(error)")
                }
                XCTAssertTrue(message.contains("50 cycles") && message.contains("sink 0 got 1/2"), message)
            }
        try m.step()
        // Wrong directions / widths / sizes are rejected.
        XCTAssertThrowsError(try m.runStreams(
            sources: [StreamSource(valid: "m_valid", ready: "s_ready", data: ["s_data"], words: [])], sinks: []))
        XCTAssertThrowsError(try m.runStreams(
            sources: [StreamSource(valid: "s_valid", ready: "s_ready", data: ["s_data"], words: [1, 2, 3])], sinks: []))
        XCTAssertThrowsError(try m.runStreams(
            sources: [], sinks: [StreamSink(valid: "m_valid", ready: "m_ready", data: "m_data", expectedBeats: 1)]
                + [StreamSink(valid: "s_valid", ready: "m_ready", data: "m_data", expectedBeats: 1)]))
        // Extra beats are counted, not captured.
        let run = try m.runStreams(
            sources: [StreamSource(valid: "s_valid", ready: "s_ready", data: "s_user", values: [1, 2, 3, 4])],
            sinks: [StreamSink(valid: "m_valid", ready: "m_ready", data: "m_user", expectedBeats: 2)])
        XCTAssertEqual(run.sinks[0].values, [1, 2])
        XCTAssertEqual(run.sinks[0].beatCount, 2)
        XCTAssertGreaterThan(run.sinks[0].extraBeats, 0)  // beats 3.. that arrived before the run ended
        XCTAssertLessThanOrEqual(run.sinks[0].extraBeats, 2)
        XCTAssertThrowsError(try m.runStreams(
            sources: [StreamSource(valid: "s_valid", ready: "s_ready", data: "s_user", values: [0x10000])], sinks: []))
    }

    func testMaxTreeStreamMatchesSwiftAndMeasureSpeed() throws {
        let m = try VerilatedModel.build(Designs.maxTree)
        try m.reset()
        let n = 100_000
        var rng = SplitMix64(seed: 1234)
        var beats: [[UInt32]] = []
        var expected: [UInt64] = []  // max | idx << 16
        for _ in 0..<n {
            let lanes = (0..<16).map { _ in UInt16(truncatingIfNeeded: rng.next() >> (rng.chance(0.5) ? 0 : 8)) }
            beats.append((0..<8).map { UInt32(lanes[2 * $0]) | UInt32(lanes[2 * $0 + 1]) << 16 })
            let mx = lanes.max()!
            expected.append(UInt64(mx) | UInt64(lanes.firstIndex(of: mx)!) << 16)
        }
        let lasts = (0..<n).map { $0 % 9 == 8 }

        // Bulk engine.
        var t0 = Date()
        let run = try m.runStreams(
            sources: [StreamSource(valid: "s_valid", ready: "s_ready", data: ["s_data"], last: "s_last",
                                   beats: beats, lasts: lasts, gapProbability: 0.1, seed: 11)],
            sinks: [StreamSink(valid: "m_valid", ready: "m_ready", data: ["m_max", "m_idx"], last: "m_last",
                               expectedBeats: n, readyProbability: 0.9, seed: 12)])
        print(String(format: "[bridge] runStreams call incl. Swift packing/unpacking: %.3f s",
                     Date().timeIntervalSince(t0)))
        let got = run.sinks[0].beats.map { UInt64($0[0]) | UInt64($0[1]) << 16 }
        XCTAssertEqual(got, expected)
        XCTAssertEqual(run.sinks[0].lasts, lasts)

        // The same stream with a Swift call per port access per cycle.
        let sValid = try m.port("s_valid"), sReady = try m.port("s_ready"), sData = try m.port("s_data")
        let sLast = try m.port("s_last"), mValid = try m.port("m_valid"), mReady = try m.port("m_ready")
        let mMax = try m.port("m_max"), mIdx = try m.port("m_idx"), mLast = try m.port("m_last")
        var gapRng = SplitMix64(seed: 11), readyRng = SplitMix64(seed: 12)
        var sent = 0, offering = false
        var received: [UInt64] = [], receivedLasts: [Bool] = []
        received.reserveCapacity(n)
        let cyclesBefore = m.cycle
        t0 = Date()
        while received.count < n {
            if sent < n && !offering && !gapRng.chance(0.1) {
                offering = true
                try m.poke(sData, words: beats[sent])
                try m.poke(sLast, lasts[sent] ? 1 : 0)
            }
            try m.poke(sValid, offering ? 1 : 0)
            let ready = readyRng.chance(0.9)
            try m.poke(mReady, ready ? 1 : 0)
            try m.eval()
            if offering && m.peek(sReady) == 1 { sent += 1; offering = false }
            if ready && m.peek(mValid) == 1 {
                received.append(m.peek(mMax) | m.peek(mIdx) << 16)
                receivedLasts.append(m.peek(mLast) == 1)
            }
            try m.step()
        }
        let swiftSeconds = Date().timeIntervalSince(t0)
        let swiftCycles = m.cycle - cyclesBefore
        XCTAssertEqual(received, expected)
        XCTAssertEqual(receivedLasts, lasts)

        // Pure stepping (one Swift call per cycle, no port access).
        t0 = Date()
        try m.poke(sValid, 0)
        for _ in 0..<100_000 { try m.step() }
        let stepSeconds = Date().timeIntervalSince(t0)
        t0 = Date()
        try m.step(1_000_000)
        let tickSeconds = Date().timeIntervalSince(t0)

        print(String(format: "[bridge] maxtree 16x16: bulk engine %d cycles in %.3f s = %.2f M cycles/s; "
                     + "per-cycle Swift %d cycles in %.3f s = %.2f M cycles/s; "
                     + "step() loop %.2f M cycles/s; step(1M) %.2f M cycles/s",
                     run.cycles, run.seconds, Double(run.cycles) / run.seconds / 1e6,
                     swiftCycles, swiftSeconds, Double(swiftCycles) / swiftSeconds / 1e6,
                     0.1 / stepSeconds, 1.0 / tickSeconds))
    }
}

private func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Result<BuiltModel, Error>] = []
    func append(_ r: Result<BuiltModel, Error>) { lock.lock(); items.append(r); lock.unlock() }
    var values: [Result<BuiltModel, Error>] { lock.lock(); defer { lock.unlock() }; return items }
}
