import ArgumentParser
import CoSim
import Foundation
import Golden

/// `hades-sim --serve …`: builds the Verilated unit once, then decides rounds that a live generator
/// (tools/generate.py) writes to stdin, one frame per round, and answers each with one JSON line on stdout.
/// Every round is cross-checked against the golden model exactly as `hades-sim --trace` does (every output,
/// cycles included); a disagreement prints a line on stderr and exits 1. A bad frame or option exits 2.
///
/// Frame (little-endian): u32 magic "HDSR" (0x52534448), u32 γ, u32 flags (bit 0: one-hot drafts, bit 1: on-chip
/// uniforms), u64 seed (on-chip uniforms: the generator seed of this round; the unit is reset before every
/// sampling round, so its round counter is 0), γ × i32 draft tokens, [sampling, host uniforms: (γ+1) × u32
/// uniforms], (γ+1)·V × f32 target rows, [sampling, not one-hot: γ·V × f32 draft rows]. Greedy rows are raw
/// logits; sampling rows are logits / temperature (converted to the fixed format here, as traces are).
/// End of input (or the magic "HDSQ") ends the session with exit 0. The first output line, `{"ready":true,…}`, says
/// the unit is built (the Verilator build is not part of any round's time).
struct HadesServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hades-sim --serve",
        abstract: "Decide live rounds from stdin with the Verilated RTL, cross-checked against the golden model.")

    @Option(help: "Vocabulary size V.") var vocab: Int = 49152
    @Option(name: .customLong("gamma-max"), help: "Γ of the hardware (1…32).") var gammaMax: Int = 16
    @Option(help: "Logits per beat (1…256).") var lanes: Int = 16
    @Option(help: "greedy or sampling.") var mode: String = "greedy"
    @Option(help: "Logit format (default greedy fp32, sampling fixed16.8).") var format: String?
    @Flag(name: .customLong("golden-only"), help: "Decide with the golden model alone (no Verilator build).")
    var goldenOnly = false

    static let magic: UInt32 = 0x5253_4448   // "HDSR"
    static let quit: UInt32 = 0x5153_4448    // "HDSQ"

    func run() throws {
        guard mode == "greedy" || mode == "sampling" else { throw Usage("--mode '\(mode)': expected greedy or sampling") }
        let sampling = mode == "sampling"
        let logitFormat: LogitFormat
        do { logitFormat = try LogitFormat(parsing: format ?? (sampling ? "fixed16.8" : "fp32")) } catch {
            throw Usage("--format: \(error)")
        }
        if sampling, logitFormat.isFloat { throw Usage("--format \(logitFormat): sampling mode needs fixedW.F") }
        let config: VerifierConfig
        do { config = try VerifierConfig(vocab: vocab, gammaMax: gammaMax, lanes: lanes, format: logitFormat) } catch {
            throw Usage("\(error)")
        }
        let input = FrameReader(fd: 0)
        if sampling {
            let sim = goldenOnly ? nil : try SamplingSimulator(config: config)
            Self.ready(config, rtl: sim != nil)
            try serveLoop(input: input, config: config, sampling: true) { r, round in
                let s = round.sampling!
                if let sim {
                    let c = try sim.compare([s])
                    if let d = c.disagreement { try Self.fail(r, d) }
                    return LiveResult(c.hardware[0])
                }
                let g = SamplingVerifier.verify(s, config: config)
                let t = SamplingCycleModel.predict(gammas: [s.gamma], outcomes: [g], config: config)[0]
                return LiveResult(g, cycles: t.cycles)
            }
        } else {
            let sim = goldenOnly ? nil : try VerifierSimulator(config: config)
            Self.ready(config, rtl: sim != nil)
            try serveLoop(input: input, config: config, sampling: false) { r, round in
                let g = round.greedy!
                if let sim {
                    let c = try CoSimulation.run([g], on: sim, resetFirst: r == 0)
                    if let d = c.disagreement { try Self.fail(r, d) }
                    return LiveResult(c.hardware[0])
                }
                let o = CoSimulation.golden([g], config: config)[0]
                let t = CycleModel.predict(gammas: [g.gamma], outcomes: [o], config: config)[0]
                return LiveResult(o, cycles: t.cycles)
            }
        }
    }

    /// The first line: the unit is built and rounds may come.
    static func ready(_ c: VerifierConfig, rtl: Bool) {
        print("{\"ready\":true,\"rtl\":\(rtl),\"vocab\":\(c.vocab),\"gamma_max\":\(c.gammaMax),\"lanes\":\(c.lanes),"
            + "\"format\":\"\(c.format)\",\"beats_per_row\":\(c.beatsPerRow)}")
        fflush(stdout)
    }

    static func fail(_ r: Int, _ d: Disagreement) throws -> Never {
        FileHandle.standardError.write(Data("hades-sim --serve: disagreement at round \(r), field \(d.field): golden \(d.expected), RTL \(d.got)\n".utf8))
        throw ExitCode(1)
    }

    struct LiveRound {
        var greedy: CoSimRound?
        var sampling: SamplingRound?
        var gamma: Int
    }

    func serveLoop(input: FrameReader, config: VerifierConfig, sampling: Bool,
                   decide: (Int, LiveRound) throws -> LiveResult) throws {
        let v = config.vocab
        var r = 0
        while let magic = try input.u32OrEnd() {
            if magic == Self.quit { break }
            guard magic == Self.magic else { throw Usage("round \(r): bad frame magic 0x\(String(magic, radix: 16))") }
            let gamma = Int(try input.u32()), flags = try input.u32()
            let seed = try input.u64()
            guard gamma <= config.gammaMax else { throw Usage("round \(r): γ = \(gamma) exceeds --gamma-max \(config.gammaMax)") }
            let oneHot = flags & 1 != 0, onChip = flags & 2 != 0
            let drafts = try input.i32s(gamma).map(Int.init)
            if let bad = drafts.first(where: { $0 < 0 || $0 >= v }) {
                throw Usage("round \(r): draft token \(bad) is outside 0..<\(v)")
            }
            let uniforms = sampling && !onChip ? try input.u32s(gamma + 1) : []
            let target = try encode(input.f32s((gamma + 1) * v), config, "round \(r) target rows")
            let round: LiveRound
            if sampling {
                let draft = oneHot ? [] : try encode(input.f32s(gamma * v), config, "round \(r) draft rows")
                let s = onChip
                    ? SamplingRound(gamma: gamma, draftTokens: drafts, targetCodes: target, draftCodes: draft, oneHot: oneHot,
                                    generatorSeed: seed, generatorRound: 0, gammaMax: config.gammaMax)
                    : SamplingRound(gamma: gamma, draftTokens: drafts, targetCodes: target, draftCodes: draft,
                                    uniforms: uniforms, oneHot: oneHot)
                round = LiveRound(greedy: nil, sampling: s, gamma: gamma)
            } else {
                round = LiveRound(greedy: CoSimRound(gamma: gamma, draftTokens: drafts, codes: target), sampling: nil, gamma: gamma)
            }
            let h = try decide(r, round)
            print(h.jsonLine(round: r, gamma: gamma))
            fflush(stdout)
            r += 1
        }
    }

    func encode(_ values: [Float], _ config: VerifierConfig, _ name: String) throws -> [UInt32] {
        do { return try LogitConverter.encode(values, format: config.format, arrayName: name) } catch { throw Usage("\(error)") }
    }
}

/// One round's decision as the serve mode reports it (from the RTL, or from the golden model with `--golden-only`).
struct LiveResult {
    var accepted: Int, token: Int, rollback: Int, flags: ResultFlags, emitted: [Int], cycles: Int

    init(_ h: HardwareRound) {
        (accepted, token, rollback, flags, emitted, cycles) = (h.accepted, h.token, h.rollback, h.flags, h.emitted, h.cycles)
    }
    init(_ o: RoundOutcome, cycles c: Int) {
        (accepted, token, rollback, flags, emitted, cycles) = (o.accepted, o.token, o.rollback, o.flags, o.emitted, c)
    }

    func jsonLine(round: Int, gamma: Int) -> String {
        let f = flags.names.map { "\"\($0)\"" }.joined(separator: ",")
        return "{\"round\":\(round),\"gamma\":\(gamma),\"accepted\":\(accepted),\"token\":\(token),\"rollback\":\(rollback),"
            + "\"cycles\":\(cycles),\"flags\":[\(f)],\"emitted\":[\(emitted.map(String.init).joined(separator: ","))]}"
    }
}

/// Reads exact byte counts from a file descriptor (pipes deliver partial reads).
final class FrameReader {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }

    /// Fills `count` bytes; false at a clean end of input before the first byte.
    private func fill(_ p: UnsafeMutableRawPointer, _ count: Int, endOK: Bool) throws -> Bool {
        var done = 0
        while done < count {
            let n = read(fd, p + done, count - done)
            if n < 0 { if errno == EINTR { continue }; throw Usage("stdin: read failed (errno \(errno))") }
            if n == 0 {
                if done == 0 && endOK { return false }
                throw Usage("stdin: the frame ended after \(done) of \(count) bytes")
            }
            done += n
        }
        return true
    }

    private func array<T>(_ count: Int, _ type: T.Type) throws -> [T] {
        guard count > 0 else { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buf, n in
            _ = try fill(UnsafeMutableRawPointer(buf.baseAddress!), count * MemoryLayout<T>.stride, endOK: false)
            n = count
        }
    }

    func u32OrEnd() throws -> UInt32? {
        var x: UInt32 = 0
        return try fill(&x, 4, endOK: true) ? UInt32(littleEndian: x) : nil
    }
    func u32() throws -> UInt32 { try array(1, UInt32.self)[0] }
    func u64() throws -> UInt64 { try array(1, UInt64.self)[0] }
    func u32s(_ n: Int) throws -> [UInt32] { try array(n, UInt32.self) }
    func i32s(_ n: Int) throws -> [Int32] { try array(n, Int32.self) }
    func f32s(_ n: Int) throws -> [Float] { try array(n, Float.self) }
}
