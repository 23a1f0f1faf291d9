import HDL

/// A memory cut by address into banks of one block RAM's depth, each bank a `hades_ram_d<D>_w<W>` instance whose
/// read data is registered again inside it (a block RAM's output register), then the choice among the banks: data
/// two clocks after the read.
///
/// Why: a deep memory (the sampling unit's row pairs at V = 50257 hold thousands of words) spreads over many block
/// RAMs. Read through one fabric register, its path was the block RAM's clock-to-out (5.6–5.8 ns on an ECP5 DP16KD
/// without its output register), routing across the part and the choice among the banks, all in one clock
/// (13.3 ns). Here each bank's register sits at its block RAMs and the choice starts from registers.
///
/// The RAM module's Verilog is generic (a memory and two registers); `tools/synth.py` maps it to DP16KD with the
/// output register (REGMODE OUTREG) for place and route (`tools/ecp5_bram.py`), as a vendor flow would infer it.
struct BankedMemory {
    /// One ECP5 DP16KD (or Xilinx RAMB36) in its widest mode: 512 words.
    static let blockRAMDepth = 512
    /// Clocks from a read to its data: the block RAM, the register.
    static let readLatency = 2

    struct Ports { let writeAddress, writeData, writeEnable, readAddress, readEnable, data: Value }

    static func moduleName(depth: Int, width: Int) -> String { "hades_ram_d\(depth)_w\(width)" }

    /// A synchronous-read memory of `depth` words with its read data registered again (latency 2).
    static func module(depth: Int, width: Int) throws -> Submodule<Ports> {
        try Module.submodule(moduleName(depth: depth, width: width),
                             doc: ["\(depth) × \(width)-bit memory with a registered read and its data registered again (a block RAM with its output register)"]) { m in
            let store = m.memory("store", depth: depth, width: width)
            let aw = store.addressWidth
            let ports = Ports(writeAddress: m.input("waddr", aw), writeData: m.input("wdata", width),
                              writeEnable: m.input("wen", 1), readAddress: m.input("raddr", aw),
                              readEnable: m.input("ren", 1), data: m.output("q", width))
            store.write(address: ports.writeAddress, data: ports.writeData, enable: ports.writeEnable)
            ports.data <== m.regNext("q_r", store.read(address: ports.readAddress, enable: ports.readEnable))
            return ports
        }
    }

    let name: String
    let banks: [InstanceOf<Ports>]
    private let m: ModuleBuilder

    init(_ m: ModuleBuilder, name: String, depth: Int, width: Int) throws {
        self.m = m
        self.name = name
        let count = (depth + Self.blockRAMDepth - 1) / Self.blockRAMDepth
        var modules: [Int: Submodule<Ports>] = [:]   // by depth: the full banks share one
        banks = try (0..<count).map { k in
            let bankDepth = max(2, min(Self.blockRAMDepth, depth - k * Self.blockRAMDepth))
            let sub = try modules[bankDepth] ?? Self.module(depth: bankDepth, width: width)
            modules[bankDepth] = sub
            return m.instance(sub, name: count == 1 ? "u_\(name)" : "u_\(name)_bank\(k)")
        }
    }

    private var offsetBits: Int { ceilLog2(Self.blockRAMDepth) }

    /// The bank that holds `address` (only asked with several banks).
    private func bank(_ address: Value) -> Value { address.bits(address.width - 1, offsetBits) }

    /// `address` inside bank `k`.
    private func offset(_ address: Value, bank k: Int) -> Value {
        address.bits(banks[k].readAddress.width - 1, 0)
    }

    private func selects(_ address: Value, bank k: Int) -> Value {
        banks.count == 1 ? .true : bank(address) === k
    }

    func write(address: Value, data: Value, enable: Value) {
        for (k, b) in banks.enumerated() {
            b.writeAddress <== offset(address, bank: k)
            b.writeData <== data
            b.writeEnable <== enable & selects(address, bank: k)
        }
    }

    /// The data at `address`, `readLatency` clocks after `enable`; it holds otherwise. Named `name`.
    func read(address: Value, enable: Value, name readName: String) -> Value {
        for (k, b) in banks.enumerated() {
            b.readAddress <== offset(address, bank: k)
            b.readEnable <== enable & selects(address, bank: k)
        }
        if banks.count == 1 { return m.named(readName, banks[0].data) }
        let chosen = m.shiftRegister("\(name)_read_bank", bank(address), stages: Self.readLatency).last!
        return m.select(readName, banks.map(\.data), index: chosen)
    }
}
