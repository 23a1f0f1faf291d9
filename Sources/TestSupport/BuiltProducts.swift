@_exported import Basics
import Foundation

/// Where the tests find the repository and this package's executables, and how they run them.
public enum BuiltProducts {
    /// The repository root (this file is Sources/TestSupport/BuiltProducts.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A built executable of this package (`swift build --build-tests` puts it next to the test bundle).
    public static func executable(_ name: String) -> URL {
        let bundle = Bundle(for: Anchor.self).bundleURL
        let candidates = [bundle.appendingPathComponent(name),
                          bundle.deletingLastPathComponent().appendingPathComponent(name)]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs the built executable `name`; a missing one is an error naming where it was looked for.
    public static func run(_ name: String, _ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(executable(name).path, arguments)
    }

    private final class Anchor {}
}
