import CoSim
import Foundation
import XCTest

/// docs/diagrams: the committed model is what the code gives today, and every SVG was drawn from that model
/// (`make docs` regenerates both).
final class DiagramTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/diagrams")

    func testCommittedDiagramModelIsFresh() throws {
        let committed = try? String(contentsOf: Self.dir.appendingPathComponent("model.json"), encoding: .utf8)
        XCTAssertEqual(committed, try DiagramModel.json(), "docs/diagrams/model.json is stale: run make docs")
    }

    func testSVGsWereDrawnFromTheCommittedModel() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sha256sum", Self.dir.appendingPathComponent("model.json").path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let digest = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        p.waitUntilExit()
        XCTAssertEqual(digest.count, 64)
        for name in ["round", "command_layout", "result_layout", "greedy_pipeline", "sampling_pipeline"] {
            let svg = try String(contentsOf: Self.dir.appendingPathComponent(name + ".svg"), encoding: .utf8)
            XCTAssertTrue(svg.contains("model.json sha256 \(digest)"), "docs/diagrams/\(name).svg is stale: run make docs")
            XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("</svg>"), name)
        }
    }
}
