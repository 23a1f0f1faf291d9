import Basics

/// Deterministic byte-level mutations for robustness tests of the trace reader: a given (input, seed) always
/// yields the same output, so any failure is reproducible from its seed.
public enum TraceFuzzer {
    public enum Mutation: CaseIterable, Sendable {
        /// Cut the file at a random length.
        case truncate
        /// Flip 1–4 random bits in the first 200 bytes (magic, preambles, headers).
        case flipHeaderBits
        /// Flip 1–8 random bits anywhere.
        case flipRandomBits
        /// Overwrite 1–4 bytes with boundary values (0x00, 0x7F, 0x80, 0xFF).
        case setBoundaryBytes
        /// Copy a random range and insert it at a random position.
        case duplicateRange
        /// Remove a random range.
        case dropRange
        /// Insert 1–16 random bytes.
        case insertRandom
        /// Overwrite a random aligned 4-byte field with a boundary integer (0, 1, 0x7FFFFFFF, 0xFFFFFFFF, …).
        case smashField
    }

    /// Applies 1–3 random mutations chosen by `seed`.
    public static func mutate(_ input: [UInt8], seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var bytes = input
        let rounds = 1 + Int(rng.next() % 3)
        for _ in 0..<rounds {
            let mutation = Mutation.allCases[Int(rng.next() % UInt64(Mutation.allCases.count))]
            bytes = apply(mutation, to: bytes, rng: &rng)
        }
        return bytes
    }

    /// Applies one mutation.
    public static func apply(_ mutation: Mutation, to input: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        func index(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(rng.next() % UInt64(bound)) }
        switch mutation {
        case .truncate:
            bytes.removeLast(bytes.count - index(bytes.count + 1))
        case .flipHeaderBits:
            guard !bytes.isEmpty else { break }
            for _ in 0..<(1 + index(4)) {
                let i = index(min(200, bytes.count))
                bytes[i] ^= UInt8(1) << UInt8(index(8))
            }
        case .flipRandomBits:
            guard !bytes.isEmpty else { break }
            for _ in 0..<(1 + index(8)) {
                let i = index(bytes.count)
                bytes[i] ^= UInt8(1) << UInt8(index(8))
            }
        case .setBoundaryBytes:
            guard !bytes.isEmpty else { break }
            let values: [UInt8] = [0x00, 0x7F, 0x80, 0xFF]
            for _ in 0..<(1 + index(4)) {
                bytes[index(bytes.count)] = values[index(values.count)]
            }
        case .duplicateRange:
            guard !bytes.isEmpty else { break }
            let start = index(bytes.count)
            let length = 1 + index(min(64, bytes.count - start))
            let chunk = Array(bytes[start..<(start + length)])
            bytes.insert(contentsOf: chunk, at: index(bytes.count + 1))
        case .dropRange:
            guard !bytes.isEmpty else { break }
            let start = index(bytes.count)
            let length = 1 + index(min(64, bytes.count - start))
            bytes.removeSubrange(start..<(start + length))
        case .insertRandom:
            let count = 1 + index(16)
            let chunk = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            bytes.insert(contentsOf: chunk, at: index(bytes.count + 1))
        case .smashField:
            guard bytes.count >= 4 else { break }
            let values: [UInt32] = [0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]
            let value = values[index(values.count)]
            let at = index(bytes.count - 3)
            for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
        }
        return bytes
    }
}

extension TraceFuzzer {
    /// What a fuzz campaign saw.
    public struct Summary: Sendable, CustomStringConvertible {
        public var cases = 0
        /// Inputs that loaded as a valid trace (every accessor was then exercised).
        public var loaded = 0
        /// Inputs refused with a `TraceError`.
        public var rejected = 0
        /// Rejections whose description does not start with the file name or is not a single line (should stay 0).
        public var badMessages = 0
        /// First few distinct error messages, for eyeballing.
        public var sampleErrors: [String] = []

        public init() {}

        public var description: String {
            "\(cases) cases: \(loaded) loaded, \(rejected) rejected with TraceError, \(badMessages) badly formed messages"
        }

        mutating func record(_ outcome: Result<SpeculativeTrace, TraceError>, file: String) {
            cases += 1
            switch outcome {
            case .success(let trace):
                loaded += 1
                TraceFuzzer.touchEverything(trace)
            case .failure(let error):
                rejected += 1
                let text = error.description
                if error.file != file || !text.hasPrefix(file + ": ")
                    || text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    badMessages += 1
                }
                if sampleErrors.count < 40, !sampleErrors.contains(error.message) { sampleErrors.append(error.message) }
            }
        }
    }

    /// Reads every row and value of a trace that loaded, so that accessors are exercised on odd-but-valid input.
    static func touchEverything(_ trace: SpeculativeTrace) {
        for r in 0..<trace.rounds {
            _ = trace.gamma(r)
            _ = trace.draftTokens(r)
            _ = trace.allDraftTokens(r)
            _ = trace.uniforms(r)
            _ = trace.referenceAccepted(r)
            _ = trace.referenceNextToken(r)
            for i in 0...trace.gammaMax { _ = trace.targetRow(round: r, row: i) }
            for i in 0..<trace.gammaMax { _ = trace.draftRow(round: r, row: i) }
        }
    }

    /// Mutates a whole `.npz` image once per seed and loads it as a trace.
    public static func fuzzArchive(_ archive: [UInt8], seeds: Range<UInt64>, file: String = "fuzz.npz") -> Summary {
        var summary = Summary()
        for seed in seeds {
            let mutated = mutate(archive, seed: seed)
            summary.record(Result { () throws(TraceError) in try SpeculativeTrace(bytes: mutated, file: file) },
                           file: file)
        }
        return summary
    }

    /// Mutates one member's `.npy` bytes per seed (chosen by the seed), re-zips with a correct CRC so that the
    /// mutation reaches the `.npy` parser and the trace validation, and loads the result.
    public static func fuzzMembers(_ members: [(name: String, npy: [UInt8])], seeds: Range<UInt64>,
                                   compressed: Bool = false, file: String = "fuzz.npz") -> Summary {
        var summary = Summary()
        guard !members.isEmpty else { return summary }
        for seed in seeds {
            var copy = members
            let k = Int(seed % UInt64(members.count))
            copy[k].npy = mutate(members[k].npy, seed: seed)
            let outcome: Result<SpeculativeTrace, TraceError> = Result { () throws(TraceError) in
                let bytes = try NpzWriter.archive(copy, compressed: compressed)
                return try SpeculativeTrace(bytes: bytes, file: file)
            }
            summary.record(outcome, file: file)
        }
        return summary
    }
}
