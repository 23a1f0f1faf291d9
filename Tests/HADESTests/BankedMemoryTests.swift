import Basics
import Foundation
@testable import HADES
import HDL
import XCTest

/// `BankedMemory`'s cut of a deep memory into banks of whole block RAMs, against the ECP5 DP16KD's geometry worked
/// by hand (512 × 36, 1 024 × 18, 2 048 × 9, 4 096 × 4, … bits) and against what Yosys's `synth_ecp5` maps.
final class BankedMemoryTests: XCTestCase {
    func tiles(_ depths: [Int], width: Int) -> Int {
        depths.map { BankedMemory.tiles(depth: $0, width: width)! }.reduce(0, +)
    }

    func testCutsFollowTheBlockRAMGeometryWorkedByHand() {
        // The sampling row pair at V = 50257, L = 16, W = 16: 3 183 words of 512 bits. 2 048 × 9: ⌈512/9⌉ = 57
        // tiles; 1 024 × 18: 29; the last 111 words in 512 × 36: 15. Banks of 512 took 7 × 15 = 105.
        XCTAssertEqual(BankedMemory.plan(depth: 3183, width: 512), [2048, 1024, 111])
        XCTAssertEqual(tiles([2048, 1024, 111], width: 512), 101)
        XCTAssertEqual(tiles([512, 512, 512, 512, 512, 512, 159], width: 512), 105)
        // 32-bit words: one tile holds 512 of them in any mode, so the fewest banks win: 2 048 + 1 024 + the rest.
        XCTAssertEqual(BankedMemory.plan(depth: 3205, width: 32), [2048, 1024, 133])
        XCTAssertEqual(BankedMemory.plan(depth: 1135, width: 32), [1024, 111])
        // 2 048 bits (L = 64): 1 024 × 18 takes 114 tiles, as 512 + 319 in 512 × 36 (57 + 57): one bank.
        XCTAssertEqual(BankedMemory.plan(depth: 831, width: 2048), [831])
        XCTAssertEqual(BankedMemory.plan(depth: 293, width: 128), [293])
        // No mode is deeper than 16 384 words: a bank never cascades tiles in depth.
        XCTAssertNil(BankedMemory.tiles(depth: 16385, width: 1))
        XCTAssertEqual(BankedMemory.plan(depth: 40000, width: 1), [16384, 16384, 7232])
    }

    /// Each bank is cut into columns of `tilesPerColumn` (four) block RAMs in its mode, the last column taking the
    /// bits left over: at V = 50257, L = 16, bank 0 (2 048 × 9 tiles) in columns of 36 bits (512 = 14 · 36 + 8: the
    /// last 44), bank 1 (1 024 × 18) of 72 (512 = 7 · 72 + 8: the last 80), bank 2 (512 × 36) of 144 (512 = 3 · 144
    /// + 80: the last 224), and the columns' tiles add up to the plan's.
    func testBanksAreCutIntoColumnsAlongTheTiles() throws {
        let width = 512
        _ = try Module.build("columns") { m in
            let memory = BankedMemory(m, name: "store", depth: 3183, width: width)
            XCTAssertEqual(memory.banks.map { $0.columns.map(\.width) },
                           [Array(repeating: 36, count: 13) + [44], Array(repeating: 72, count: 6) + [80],
                            [144, 144, 224]])
            for bank in memory.banks {
                XCTAssertEqual(bank.columns.map(\.low), bank.columns.indices.map { bank.columns[0].width * $0 })
                XCTAssertEqual(bank.columns.map { BankedMemory.tiles(depth: bank.depth, width: $0.width)! }.reduce(0, +),
                               BankedMemory.tiles(depth: bank.depth, width: width), "bank of \(bank.depth) words")
            }
            m.output("q", 1) <== .false
        }
    }

    /// The emitted banks through Yosys's ECP5 mapping: exactly the planned DP16KD count, and no LUT RAM.
    func testYosysMapsTheBanksToThePlannedBlockRAMs() throws {
        for (depth, width) in [(3183, 512), (3205, 32)] {
            let module = try Module.build("banked_\(depth)_\(width)") { m in
                let write = m.input("write", 1), writeAddress = m.input("write_address", 12)
                let data = m.input("data", width), read = m.input("read", 1), readAddress = m.input("read_address", 12)
                let memory = BankedMemory(m, name: "store", depth: depth, width: width)
                memory.write(address: writeAddress, data: data, enable: write)
                m.output("q", width) <== memory.read(address: readAddress, readsNext: read, name: "q_data")
            }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("banked-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            try VerilogEmitter.emit(module).write(to: dir.appendingPathComponent("m.v"), atomically: true, encoding: .utf8)
            let r = try ProcessRunner.run("yosys", ["-p", "read_verilog \(dir.path)/m.v; synth_ecp5 -top \(module.name); stat"])
            XCTAssertEqual(r.status, 0, "yosys (needed by this test) failed: \(r.stderr.suffix(2000))")
            func count(_ cell: String) -> Int {
                let lines = r.stdout.split(separator: "\n").filter { $0.split(separator: " ").first == Substring(cell) }
                return lines.last.flatMap { Int($0.split(separator: " ").last!) } ?? 0
            }
            let plan = BankedMemory.plan(depth: depth, width: width)
            XCTAssertEqual(count("DP16KD"), tiles(plan, width: width), "\(depth) × \(width) in banks \(plan)")
            XCTAssertEqual(count("TRELLIS_DPR16X4"), 0, "\(depth) × \(width): no LUT RAM")
        }
    }
}
