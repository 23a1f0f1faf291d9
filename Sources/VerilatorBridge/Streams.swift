// Bulk AXI4-Stream simulation: the C++ engine in the shim drives sources and sinks for many cycles
// without a Swift call per cycle.
//
// A beat is the concatenation of the stream's data ports, each taking ceil(width/32) 32-bit words
// (least significant word first), in the order the ports are listed.

import Basics
import Dispatch

/// A stream the testbench drives into the design (the design's valid/data/last inputs, ready output).
public struct StreamSource {
    enum Payload {
        case words([UInt32])
        case beats([[UInt32]])
        case values([UInt64])
    }

    public var valid: String
    public var ready: String
    public var data: [String]
    public var last: String?
    var payload: Payload
    /// TLAST per beat; `nil` raises last on the final beat only.
    public var lasts: [Bool]?
    /// Probability that valid is withheld on a cycle where a beat is pending (and valid is not up yet).
    public var gapProbability: Double
    public var seed: UInt64

    /// Beats given as one flat word buffer (beat after beat).
    public init(valid: String, ready: String, data: [String], last: String? = nil, words: [UInt32],
                lasts: [Bool]? = nil, gapProbability: Double = 0, seed: UInt64 = 1) {
        self.valid = valid; self.ready = ready; self.data = data; self.last = last
        self.payload = .words(words); self.lasts = lasts; self.gapProbability = gapProbability; self.seed = seed
    }

    /// A stream named by its port descriptor (valid, ready, data and, if it has one, last).
    public init(_ port: StreamPortNames, words: [UInt32], lasts: [Bool]? = nil, gapProbability: Double = 0,
                seed: UInt64 = 1) {
        self.init(valid: port.valid, ready: port.ready, data: [port.data], last: port.last, words: words, lasts: lasts,
                  gapProbability: gapProbability, seed: seed)
    }

    /// Beats given one by one (each `beatWords` long).
    public init(valid: String, ready: String, data: [String], last: String? = nil, beats: [[UInt32]],
                lasts: [Bool]? = nil, gapProbability: Double = 0, seed: UInt64 = 1) {
        self.valid = valid; self.ready = ready; self.data = data; self.last = last
        self.payload = .beats(beats); self.lasts = lasts; self.gapProbability = gapProbability; self.seed = seed
    }

    /// Beats of a single data port of at most 64 bits.
    public init(valid: String, ready: String, data: String, last: String? = nil, values: [UInt64],
                lasts: [Bool]? = nil, gapProbability: Double = 0, seed: UInt64 = 1) {
        self.valid = valid; self.ready = ready; self.data = [data]; self.last = last
        self.payload = .values(values); self.lasts = lasts; self.gapProbability = gapProbability; self.seed = seed
    }
}

/// A stream the testbench receives from the design (the design's valid/data/last outputs, ready input).
public struct StreamSink {
    public var valid: String
    public var ready: String
    public var data: [String]
    public var last: String?
    /// The run ends once this many beats have arrived (and every source is drained).
    public var expectedBeats: Int
    /// Probability that ready is raised on a cycle.
    public var readyProbability: Double
    public var seed: UInt64

    public init(valid: String, ready: String, data: [String], last: String? = nil, expectedBeats: Int,
                readyProbability: Double = 1, seed: UInt64 = 2) {
        self.valid = valid; self.ready = ready; self.data = data; self.last = last
        self.expectedBeats = expectedBeats; self.readyProbability = readyProbability; self.seed = seed
    }

    public init(valid: String, ready: String, data: String, last: String? = nil, expectedBeats: Int,
                readyProbability: Double = 1, seed: UInt64 = 2) {
        self.init(valid: valid, ready: ready, data: [data], last: last, expectedBeats: expectedBeats,
                  readyProbability: readyProbability, seed: seed)
    }

    /// A stream named by its port descriptor.
    public init(_ port: StreamPortNames, expectedBeats: Int, readyProbability: Double = 1, seed: UInt64 = 2) {
        self.init(valid: port.valid, ready: port.ready, data: [port.data], last: port.last,
                  expectedBeats: expectedBeats, readyProbability: readyProbability, seed: seed)
    }
}

/// The outcome of `VerilatedModel.runStreams`.
public struct StreamRun: Sendable {
    public struct Source: Sendable {
        /// The cycle (`VerilatedModel.cycle` numbering) of each beat's handshake.
        public let handshakeCycles: [UInt64]
    }

    public struct Sink: Sendable {
        public let wordsPerBeat: Int
        /// Captured beats, flat (beat after beat).
        public let words: [UInt32]
        /// TLAST of each captured beat (empty without a last port).
        public let lasts: [Bool]
        /// The cycle of each captured beat's handshake.
        public let handshakeCycles: [UInt64]
        /// Handshakes beyond `expectedBeats` (not captured).
        public let extraBeats: UInt64

        public var beatCount: Int { handshakeCycles.count }
        /// Beat `i` as words.
        public func beat(_ i: Int) -> [UInt32] { Array(words[i * wordsPerBeat..<(i + 1) * wordsPerBeat]) }
        public var beats: [[UInt32]] { (0..<beatCount).map(beat) }
        /// Beats as 64-bit values (the low two words of each beat).
        public var values: [UInt64] {
            (0..<beatCount).map { i in
                let lo = UInt64(words[i * wordsPerBeat])
                let hi = wordsPerBeat > 1 ? UInt64(words[i * wordsPerBeat + 1]) << 32 : 0
                return lo | hi
            }
        }
    }

    /// Cycles run by this call.
    public let cycles: UInt64
    /// Wall-clock seconds spent in the C++ engine (without Swift-side packing and unpacking).
    public let seconds: Double
    public let sources: [Source]
    public let sinks: [Sink]
}

extension VerilatedModel {
    /// Runs the C++ stream engine until every source is drained and every sink has its expected beats.
    ///
    /// Each cycle, before the rising edge: a source with a pending beat and valid low raises valid (with
    /// its data and last) unless the gap coin says wait; valid stays up until the handshake. Each sink draws
    /// ready from its coin. A handshake is valid && ready as seen by the rising edge. Other inputs keep their
    /// values. On return all source valids and sink readies are low. Throws
    /// `.simulation(.cycleLimit, …)` if `maxCycles` cycles pass first (the model stays usable), and the
    /// usual simulation errors for $finish/$stop/$fatal.
    public func runStreams(sources: [StreamSource], sinks: [StreamSink], maxCycles: UInt64 = 10_000_000) throws
        -> StreamRun
    {
        let lib = library, inst = instance
        lib.streamsClear(inst)
        defer { lib.streamsClear(inst) }

        func ids(_ names: [String]) throws -> [Int32] { try names.map { try port($0).id } }
        func beatWords(_ names: [String]) throws -> Int { try names.reduce(0) { $0 + (try port($1)).wordCount } }

        for (i, s) in sources.enumerated() {
            let dataIds = try ids(s.data)
            let bw = try beatWords(s.data)
            var flat: [UInt32]
            switch s.payload {
            case .words(let w):
                flat = w
                guard bw == 0 ? w.isEmpty : w.count % bw == 0 else {
                    throw VerilatorBridgeError.invalidArgument("source \(i): \(w.count) words is not a whole number of \(bw)-word beats")
                }
            case .beats(let beats):
                flat = []
                flat.reserveCapacity(beats.count * bw)
                for (j, b) in beats.enumerated() {
                    guard b.count == bw else {
                        throw VerilatorBridgeError.invalidArgument("source \(i) beat \(j): \(b.count) words, a beat has \(bw)")
                    }
                    flat += b
                }
            case .values(let values):
                let p = try port(s.data[0])
                guard s.data.count == 1, p.width <= 64 else {
                    throw VerilatorBridgeError.invalidArgument("source \(i): values need a single data port of at most 64 bits")
                }
                flat = []
                flat.reserveCapacity(values.count * bw)
                for v in values {
                    guard p.width == 64 || v >> UInt64(p.width) == 0 else {
                        throw VerilatorBridgeError.invalidArgument("source \(i): value 0x\(String(v, radix: 16)) does not fit '\(p.name)'")
                    }
                    flat.append(UInt32(truncatingIfNeeded: v))
                    if bw == 2 { flat.append(UInt32(truncatingIfNeeded: v >> 32)) }
                }
            }
            let nBeats: Int
            switch s.payload {
            case .beats(let b): nBeats = b.count
            case .values(let v): nBeats = v.count
            case .words(let w): nBeats = bw == 0 ? 0 : w.count / bw
            }
            if let lasts = s.lasts, lasts.count != nBeats {
                throw VerilatorBridgeError.invalidArgument("source \(i): \(lasts.count) last flags for \(nBeats) beats")
            }
            let validId = try port(s.valid).id, readyId = try port(s.ready).id
            let lastId = try s.last.map { try port($0).id } ?? -1
            let lastBytes = s.lasts?.map { UInt8($0 ? 1 : 0) }
            let idx = dataIds.withUnsafeBufferPointer { d in
                flat.withUnsafeBufferPointer { f in
                    withOptionalPointer(lastBytes) { l in
                        lib.streamsAddSource(inst, validId, readyId, lastId,
                                             d.baseAddress, Int32(d.count), f.baseAddress, UInt64(nBeats), l,
                                             s.gapProbability, s.seed)
                    }
                }
            }
            if idx < 0 {
                try check(lib.status(inst))
                throw VerilatorBridgeError.invalidArgument("source \(i) was rejected")
            }
        }
        for (i, k) in sinks.enumerated() {
            guard k.expectedBeats >= 0 else { throw VerilatorBridgeError.invalidArgument("sink \(i): negative expectedBeats") }
            let dataIds = try ids(k.data)
            let validId = try port(k.valid).id, readyId = try port(k.ready).id
            let lastId = try k.last.map { try port($0).id } ?? -1
            let idx = dataIds.withUnsafeBufferPointer { d in
                lib.streamsAddSink(inst, validId, readyId, lastId, d.baseAddress, Int32(d.count),
                                   UInt64(k.expectedBeats), k.readyProbability, k.seed)
            }
            if idx < 0 {
                try check(lib.status(inst))
                throw VerilatorBridgeError.invalidArgument("sink \(i) was rejected")
            }
        }

        var ran: UInt64 = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        let status = lib.streamsRun(inst, maxCycles, &ran)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        try check(status)

        var sourceResults: [StreamRun.Source] = []
        for i in 0..<sources.count {
            let n = Int(lib.sourceSent(inst, Int32(i)))
            var hs = [UInt64](repeating: 0, count: n)
            hs.withUnsafeMutableBufferPointer { lib.sourceHandshakes(inst, Int32(i), $0.baseAddress) }
            sourceResults.append(StreamRun.Source(handshakeCycles: hs))
        }
        var sinkResults: [StreamRun.Sink] = []
        for (i, k) in sinks.enumerated() {
            let n = Int(lib.sinkCount(inst, Int32(i)))
            let bw = try beatWords(k.data)
            var words = [UInt32](repeating: 0, count: n * bw)
            words.withUnsafeMutableBufferPointer { lib.sinkBeats(inst, Int32(i), $0.baseAddress) }
            var lastBytes = [UInt8](repeating: 0, count: n)
            lastBytes.withUnsafeMutableBufferPointer { lib.sinkLasts(inst, Int32(i), $0.baseAddress) }
            var hs = [UInt64](repeating: 0, count: n)
            hs.withUnsafeMutableBufferPointer { lib.sinkHandshakes(inst, Int32(i), $0.baseAddress) }
            sinkResults.append(StreamRun.Sink(wordsPerBeat: bw, words: words,
                                              lasts: k.last == nil ? [] : lastBytes.map { $0 != 0 },
                                              handshakeCycles: hs, extraBeats: lib.sinkExtra(inst, Int32(i))))
        }
        return StreamRun(cycles: ran, seconds: seconds, sources: sourceResults, sinks: sinkResults)
    }
}

private func withOptionalPointer<R>(_ array: [UInt8]?, _ body: (UnsafePointer<UInt8>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
