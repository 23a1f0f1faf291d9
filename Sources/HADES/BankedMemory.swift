import HDL

/// A memory cut by address into banks of one block RAM's depth, each bank's read data registered again beside its
/// block RAMs, then the choice among the banks, registered: data three clocks after the read.
///
/// Why: a deep memory (the sampling unit's row pairs at V = 50257 hold thousands of words) spreads over many block
/// RAMs. Read through one fabric register, its path was the block RAM's clock-to-out (5.6–5.8 ns on an ECP5 DP16KD
/// without its output register), routing across the part and the choice among the banks, all in one clock
/// (13.3 ns). Here each bank's register sits next to its block RAMs and the choice starts from registers. That
/// register's only load is the choice's register: with the choice's fan-out on it the placer put it across the part
/// (5.83 ns of clock-to-out plus 4.42 ns of routing at V = 50257, L = 16), so the choice is registered too.
/// Each bank's register loads every clock and has no other load, so `make synth` moves it into the DP16KD as the
/// block's output register (`tools/ecp5_bram.py`; Yosys's mapping never uses it).
/// The write is registered too (`write`). A memory of one bank is a memory with those registers.
struct BankedMemory {
    /// One ECP5 DP16KD (or Xilinx RAMB36) in its widest mode: 512 words.
    static let blockRAMDepth = 512
    /// Clocks from a read to its data: the block RAM, its register, the choice's register.
    static let readLatency = 3

    let name: String
    let banks: [Memory]
    private let m: ModuleBuilder

    init(_ m: ModuleBuilder, name: String, depth: Int, width: Int) {
        self.m = m
        self.name = name
        let count = (depth + Self.blockRAMDepth - 1) / Self.blockRAMDepth
        banks = count == 1 ? [m.memory(name, depth: depth, width: width, readsNeverMeetWrites: true)]
            : (0..<count).map { k in
                m.memory("\(name)_bank\(k)", depth: max(2, min(Self.blockRAMDepth, depth - k * Self.blockRAMDepth)),
                         width: width, readsNeverMeetWrites: true)
            }
    }

    private var offsetBits: Int { ceilLog2(Self.blockRAMDepth) }

    /// The bank that holds `address` (only asked with several banks).
    private func bank(_ address: Value) -> Value { address.bits(address.width - 1, offsetBits) }

    /// `address` inside bank `k`.
    private func offset(_ address: Value, bank k: Int) -> Value {
        address.bits(banks[k].addressWidth - 1, 0)
    }

    private func selects(_ address: Value, bank k: Int) -> Value {
        banks.count == 1 ? .true : bank(address) === k
    }

    /// Writes `data` at `address` one clock after `enable`, from registers: the write's address, data and each
    /// bank's enable leave registers, so the path from the writer's handshake logic to block RAMs across the part
    /// is cut (it was the full sampling configuration's critical path). Callers read a word at least two clocks
    /// after its write, and never in the clock it is written (the banks carry `readsNeverMeetWrites`: with the
    /// enable from a register Yosys could no longer prove that and built old-data logic on every read bit).
    func write(address: Value, data: Value, enable: Value) {
        let registeredAddress = m.regNext("\(name)_write_address", address)
        let registeredData = m.regNext("\(name)_write_data", data)
        for k in banks.indices {
            let bankEnable = m.regNext(banks.count == 1 ? "\(name)_write" : "\(name)_bank\(k)_write",
                                       enable & selects(address, bank: k), reset: 0)
            banks[k].write(address: offset(registeredAddress, bank: k), data: registeredData, enable: bankEnable)
        }
    }

    /// The data at `address`, `readLatency` clocks after `enable` (the block RAM's read, its register, the choice's
    /// register); it holds otherwise. The registers are `<name>_bank<k>_q` (one bank: `<readName>_q`), then `<readName>`.
    func read(address: Value, enable: Value, name readName: String) -> Value {
        if banks.count == 1 {
            return m.regNext(readName, m.regNext("\(readName)_q", banks[0].read(address: offset(address, bank: 0), enable: enable)))
        }
        let registered = banks.indices.map { k in
            m.regNext("\(name)_bank\(k)_q",
                      banks[k].read(address: offset(address, bank: k), enable: enable & selects(address, bank: k)))
        }
        let chosen = m.shiftRegister("\(name)_read_bank", bank(address), stages: Self.readLatency - 1).last!
        return m.regNext(readName, m.select("\(readName)_choice", registered, index: chosen))
    }
}
