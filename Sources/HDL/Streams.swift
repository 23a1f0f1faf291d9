/// The design side of an AXI4-Stream input: `valid`, `data` and `last` come in, drive `ready`.
/// (SpinalHDL `Stream[T]` slave, Chisel `Flipped(Decoupled(T))`.)
public struct StreamIn {
    public let ports: StreamPortNames
    public let valid: Value
    public let ready: Value
    public let data: Value
    public let last: Value?
    /// The handshake: a beat moves on this clock edge.
    public var fire: Value { valid & ready }
}

/// The design side of an AXI4-Stream output: drive `valid`, `data` and `last`; `ready` comes in.
public struct StreamOut {
    public let ports: StreamPortNames
    public let valid: Value
    public let ready: Value
    public let data: Value
    public let last: Value?
    public var fire: Value { valid & ready }

    /// Drives this output from `source` (an instance's output stream, say): valid, data and last forward,
    /// ready back. Widths must match.
    public func drive(from source: StreamOut) {
        valid <== source.valid
        data <== source.data
        source.ready <== ready
        if let last, let sourceLast = source.last { last <== sourceLast }
    }
}

extension ModuleBuilder {
    /// Declares the ports of an input stream in AXI4-Stream order: tvalid, tready, tdata, then tlast.
    public func streamIn(_ ports: StreamPortNames, width: Int, file: StaticString = #fileID, line: UInt = #line) -> StreamIn {
        let valid = input(ports.valid, 1, file: file, line: line)
        let ready = output(ports.ready, 1, file: file, line: line)
        let data = input(ports.data, width, file: file, line: line)
        let last = ports.last.map { input($0, 1, file: file, line: line) }
        return StreamIn(ports: ports, valid: valid, ready: ready, data: data, last: last)
    }

    /// `streamIn` named `<name>_t…`: `m.streamIn("s_axis_logits", payload: 128, last: true)`.
    public func streamIn(_ name: String, payload width: Int, last: Bool = false,
                         file: StaticString = #fileID, line: UInt = #line) -> StreamIn {
        streamIn(StreamPortNames(name, last: last), width: width, file: file, line: line)
    }

    /// Declares the ports of an output stream in AXI4-Stream order: tvalid, tready, tdata, then tlast.
    public func streamOut(_ ports: StreamPortNames, width: Int, file: StaticString = #fileID, line: UInt = #line) -> StreamOut {
        let valid = output(ports.valid, 1, file: file, line: line)
        let ready = input(ports.ready, 1, file: file, line: line)
        let data = output(ports.data, width, file: file, line: line)
        let last = ports.last.map { output($0, 1, file: file, line: line) }
        return StreamOut(ports: ports, valid: valid, ready: ready, data: data, last: last)
    }

    public func streamOut(_ name: String, payload width: Int, last: Bool = false,
                          file: StaticString = #fileID, line: UInt = #line) -> StreamOut {
        streamOut(StreamPortNames(name, last: last), width: width, file: file, line: line)
    }
}
