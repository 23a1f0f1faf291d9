/// The one error type of the `Trace` module.
///
/// Every failure to read an `.npy` / `.npz` file or to validate a speculative-decoding trace is a
/// `TraceError`. Its `description` is a single line of the form
///
///     <file>: <what>
///     <file>: array '<name>': <what>
///
/// e.g. `trace.npz: array 'gamma': unsupported dtype '>i4' (expected little-endian int32 or int64)`.
public struct TraceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as the caller named it (a path, or the name given to an in-memory load).
    public let file: String
    /// The array the problem is in, when there is one.
    public let array: String?
    /// What went wrong, without the file and array prefix.
    public let message: String

    public init(file: String, array: String? = nil, _ message: String) {
        self.file = file
        self.array = array
        self.message = message
    }

    /// One line: control characters and other invisible code points (which a corrupt file can smuggle into
    /// array names and header text) are shown as `\u{…}` escapes.
    public var description: String {
        if let array {
            return "\(printable(file)): array '\(printable(array))': \(printable(message))"
        }
        return "\(printable(file)): \(printable(message))"
    }
}

/// `s` with control, format, separator, unassigned and private-use code points escaped as `\u{hex}`.
func printable(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in s.unicodeScalars {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse:
            out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
        default:
            out.append(scalar)
        }
    }
    return String(out)
}

/// Where an array comes from, for error messages.
struct ArrayContext: Sendable {
    let file: String
    let array: String?

    func error(_ message: String) -> TraceError {
        TraceError(file: file, array: array, message)
    }
}
