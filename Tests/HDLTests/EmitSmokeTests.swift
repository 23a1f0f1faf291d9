import XCTest
import HDL

final class EmitSmokeTests: XCTestCase {
    func testPrint() throws {
        for m in [try SampleCircuits.counter(), try SampleCircuits.fifo()] {
            let files = VerilogEmitter.emitFiles(m)
            print(files.map(\.text).joined())
            print(try ExternalTools.verilatorLint(files, top: m.name))
            print(try ExternalTools.iverilogCheck(files, top: m.name))
            print(try ExternalTools.yosysSynth(files, top: m.name).latches)
        }
    }
}
