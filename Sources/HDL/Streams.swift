/// Which way a stream's beats go, seen from the design that declares it.
public protocol StreamDirection {}
/// Beats come in: `valid`, `data` and `last` are inputs, drive `ready`.
public enum Inbound: StreamDirection {}
/// Beats go out: drive `valid`, `data` and `last`; `ready` comes in.
public enum Outbound: StreamDirection {}

/// The ports of one AXI4-Stream interface as values (SpinalHDL `Stream[T]`, Chisel `DecoupledIO`).
public struct Stream<Direction: StreamDirection> {
    public let ports: StreamPortNames
    public let valid: Value
    public let ready: Value
    public let data: Value
    public let last: Value?
    /// The handshake: a beat moves on this clock edge.
    public var fire: Value { valid & ready }

    /// The same stream with its values mapped (an instance's ports seen from its parent).
    func map(_ f: (Value) -> Value) -> Stream {
        Stream(ports: ports, valid: f(valid), ready: f(ready), data: f(data), last: last.map(f))
    }
}

public typealias StreamIn = Stream<Inbound>
public typealias StreamOut = Stream<Outbound>

extension Stream where Direction == Outbound {
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
    /// Declares the ports of an input stream in AXI4-Stream order: tvalid, tready, tdata, then tlast:
    /// `m.streamIn(StreamPortNames("s_axis_logits", last: true), payload: 256)`.
    public func streamIn(_ ports: StreamPortNames, payload width: Int, file: StaticString = #fileID, line: UInt = #line) -> StreamIn {
        let p = streamPorts(ports, width: width, towardsDesign: true, at: file, line)
        return StreamIn(ports: ports, valid: p.valid, ready: p.ready, data: p.data, last: p.last)
    }

    /// Declares the ports of an output stream in AXI4-Stream order: tvalid, tready, tdata, then tlast.
    public func streamOut(_ ports: StreamPortNames, payload width: Int, file: StaticString = #fileID, line: UInt = #line) -> StreamOut {
        let p = streamPorts(ports, width: width, towardsDesign: false, at: file, line)
        return StreamOut(ports: ports, valid: p.valid, ready: p.ready, data: p.data, last: p.last)
    }

    /// valid, data and last flow towards the design for an input stream, away from it for an output; ready the
    /// other way.
    private func streamPorts(_ ports: StreamPortNames, width: Int, towardsDesign: Bool, at file: StaticString, _ line: UInt)
        -> (valid: Value, ready: Value, data: Value, last: Value?) {
        let forward = { (name: String, w: Int) in
            towardsDesign ? self.input(name, w, file: file, line: line) : self.output(name, w, file: file, line: line)
        }
        let valid = forward(ports.valid, 1)
        let ready = towardsDesign ? output(ports.ready, 1, file: file, line: line) : input(ports.ready, 1, file: file, line: line)
        return (valid, ready, forward(ports.data, width), ports.last.map { forward($0, 1) })
    }
}
