/// Where in the Swift source a signal, statement or module was created; every elaboration error names one.
public struct SourceLocation: CustomStringConvertible, Hashable, Sendable {
    public let file: String
    public let line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
    public init(_ file: StaticString, _ line: UInt) { self.file = "\(file)"; self.line = Int(line) }
    public var description: String { "\(file):\(line)" }
}

/// One problem found while elaborating a module.
public struct ElaborationIssue: CustomStringConvertible, Hashable, Sendable {
    public enum Kind: String, Sendable {
        case widthMismatch = "width mismatch"
        case undriven = "undriven"
        case multipleDrivers = "multiple drivers"
        case combinationalLoop = "combinational loop"
        case latch = "latch"
        case unconnectedOutput = "unconnected output"
        case illegalAssignment = "illegal assignment"
        case badExpression = "bad expression"
        case badName = "bad name"
        case badParameter = "bad parameter"
    }
    public let kind: Kind
    public let module: String
    public let message: String
    public var description: String { "\(module): \(kind.rawValue): \(message)" }
}

/// Thrown when a module fails its checks: every issue found, in a deterministic order.
public struct ElaborationError: Error, CustomStringConvertible {
    public let issues: [ElaborationIssue]
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
    public func contains(_ kind: ElaborationIssue.Kind) -> Bool { issues.contains { $0.kind == kind } }
}
