import Foundation

/// Every error the golden model throws. `message` is complete and user-facing: it names the bad input
/// (text, parameter, array and index) and says what is accepted.
public struct GoldenError: Error, Equatable, Hashable, Sendable, CustomStringConvertible, LocalizedError {
    public enum Kind: String, Sendable {
        /// A logit format string or value that is not one of the accepted forms.
        case format
        /// A `VerifierConfig` parameter out of range.
        case config
        /// A logit that cannot be converted (NaN).
        case conversion
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
    public var errorDescription: String? { message }
}
