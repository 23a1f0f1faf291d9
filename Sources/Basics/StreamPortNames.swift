/// The port names of one AXI4-Stream interface: `<name>_tvalid`, `_tready`, `_tdata` and, with `hasLast`, `_tlast`.
/// The HDL declares a stream's ports from it and the Verilator bridge drives and monitors them from the same value,
/// so a name is written once.
public struct StreamPortNames: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let hasLast: Bool

    public init(_ name: String, last: Bool = false) {
        self.name = name
        hasLast = last
    }

    public var valid: String { name + "_tvalid" }
    public var ready: String { name + "_tready" }
    public var data: String { name + "_tdata" }
    public var last: String? { hasLast ? name + "_tlast" : nil }
    public var description: String { name }
}
