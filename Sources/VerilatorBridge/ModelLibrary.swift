// Loads a model library with dlopen and resolves the shim's C API with dlsym.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C API of one loaded model library (see verilator/hades_shim.h).
final class ModelLibrary: @unchecked Sendable {
    typealias Inst = OpaquePointer

    let path: String
    private let handle: UnsafeMutableRawPointer

    let numPorts: @convention(c) () -> Int32
    let portWidth: @convention(c) (Int32) -> Int32
    let portIsInput: @convention(c) (Int32) -> Int32
    let clockId: @convention(c) () -> Int32
    let traceCapable: @convention(c) () -> Int32
    let create: @convention(c) (UnsafeMutablePointer<CChar>?, UInt64) -> Inst?
    let destroy: @convention(c) (Inst) -> Void
    let status: @convention(c) (Inst) -> Int32
    let lastError: @convention(c) (Inst) -> UnsafePointer<CChar>?
    let cycle: @convention(c) (Inst) -> UInt64
    let poke64: @convention(c) (Inst, Int32, UInt64) -> Void
    let peek64: @convention(c) (Inst, Int32) -> UInt64
    let pokeWords: @convention(c) (Inst, Int32, UnsafePointer<UInt32>?, UInt32) -> Void
    let peekWords: @convention(c) (Inst, Int32, UnsafeMutablePointer<UInt32>?, UInt32) -> Void
    let eval: @convention(c) (Inst) -> Int32
    let tick: @convention(c) (Inst, UInt64) -> Int32
    let traceOpen: @convention(c) (Inst, UnsafePointer<CChar>) -> Int32
    let traceClose: @convention(c) (Inst) -> Void
    let streamsClear: @convention(c) (Inst) -> Void
    let streamsAddSource: @convention(c) (Inst, Int32, Int32, Int32, UnsafePointer<Int32>?, Int32,
                                          UnsafePointer<UInt32>?, UInt64, UnsafePointer<UInt8>?, Double, UInt64) -> Int32
    let streamsAddSink: @convention(c) (Inst, Int32, Int32, Int32, UnsafePointer<Int32>?, Int32,
                                        UInt64, Double, UInt64) -> Int32
    let streamsRun: @convention(c) (Inst, UInt64, UnsafeMutablePointer<UInt64>?) -> Int32
    let sourceSent: @convention(c) (Inst, Int32) -> UInt64
    let sourceHandshakes: @convention(c) (Inst, Int32, UnsafeMutablePointer<UInt64>?) -> Void
    let sinkCount: @convention(c) (Inst, Int32) -> UInt64
    let sinkExtra: @convention(c) (Inst, Int32) -> UInt64
    let sinkBeats: @convention(c) (Inst, Int32, UnsafeMutablePointer<UInt32>?) -> Void
    let sinkLasts: @convention(c) (Inst, Int32, UnsafeMutablePointer<UInt8>?) -> Void
    let sinkHandshakes: @convention(c) (Inst, Int32, UnsafeMutablePointer<UInt64>?) -> Void

    private static let counterLock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    /// Loads `path` under a unique file name (a private copy, unlinked once loaded), so that a library
    /// rebuilt at the same path never aliases one already loaded. The library is never unloaded.
    init(path: String) throws {
        self.path = path
        Self.counterLock.lock()
        Self.counter += 1
        let n = Self.counter
        Self.counterLock.unlock()
        let fm = FileManager.default
        let copy = fm.temporaryDirectory.appendingPathComponent("hades-model-\(getpid())-\(n)-\(UUID().uuidString.prefix(8)).so").path
        do {
            try fm.copyItem(atPath: path, toPath: copy)
        } catch {
            throw VerilatorBridgeError.loadFailed("cannot copy \(path) to \(copy): \(error)")
        }
        defer { unlink(copy) }
        guard let h = dlopen(copy, RTLD_NOW | RTLD_LOCAL) else {
            let msg = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw VerilatorBridgeError.loadFailed("dlopen(\(path)): \(msg)")
        }
        handle = h

        func sym<T>(_ name: String, _: T.Type = T.self) throws -> T {
            guard let p = dlsym(h, name) else {
                throw VerilatorBridgeError.loadFailed("\(path) has no symbol \(name) (is it a HADES model library?)")
            }
            return unsafeBitCast(p, to: T.self)
        }
        let abi: @convention(c) () -> UInt32 = try sym("hades_abi_version")
        guard abi() == 1 else { throw VerilatorBridgeError.loadFailed("\(path): shim ABI \(abi()), expected 1") }
        numPorts = try sym("hades_num_ports")
        portWidth = try sym("hades_port_width")
        portIsInput = try sym("hades_port_is_input")
        clockId = try sym("hades_clock_id")
        traceCapable = try sym("hades_trace_capable")
        create = try sym("hades_create")
        destroy = try sym("hades_destroy")
        status = try sym("hades_status")
        lastError = try sym("hades_last_error")
        cycle = try sym("hades_cycle")
        poke64 = try sym("hades_poke64")
        peek64 = try sym("hades_peek64")
        pokeWords = try sym("hades_poke_words")
        peekWords = try sym("hades_peek_words")
        eval = try sym("hades_eval")
        tick = try sym("hades_tick")
        traceOpen = try sym("hades_trace_open")
        traceClose = try sym("hades_trace_close")
        streamsClear = try sym("hades_streams_clear")
        streamsAddSource = try sym("hades_streams_add_source")
        streamsAddSink = try sym("hades_streams_add_sink")
        streamsRun = try sym("hades_streams_run")
        sourceSent = try sym("hades_streams_source_sent")
        sourceHandshakes = try sym("hades_streams_source_handshakes")
        sinkCount = try sym("hades_streams_sink_count")
        sinkExtra = try sym("hades_streams_sink_extra")
        sinkBeats = try sym("hades_streams_sink_beats")
        sinkLasts = try sym("hades_streams_sink_lasts")
        sinkHandshakes = try sym("hades_streams_sink_handshakes")
    }

    // One loaded library per cache key per process; instances share it (each has its own context).
    private static let loadedLock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: ModelLibrary] = [:]

    static func load(key: String, path: String) throws -> ModelLibrary {
        loadedLock.lock()
        defer { loadedLock.unlock() }
        if let lib = loaded[key] { return lib }
        let lib = try ModelLibrary(path: path)
        loaded[key] = lib
        return lib
    }
}
