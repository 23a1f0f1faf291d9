import HDL

/// A memory cut by address into banks that each map to whole block RAMs, read from address registers beside them,
/// each bank's read data registered twice beside its block RAMs, then the choice among the banks, registered: data
/// five clocks after the read.
///
/// Why banks: a deep memory (the sampling unit's row pairs at V = 50257 hold thousands of words) spreads over many
/// block RAMs. Read through one fabric register, its path was the block RAM's clock-to-out (5.6–5.8 ns on an ECP5
/// DP16KD without its output register), routing across the part and the choice among the banks, all in one clock
/// (13.3 ns). Here each bank's register sits next to its block RAMs and the choice starts from registers. That
/// register's only load is the choice's register: with the choice's fan-out on it the placer put it across the part
/// (5.83 ns of clock-to-out plus 4.42 ns of routing at V = 50257, L = 16), so the choice is registered too.
/// Each bank's register loads every clock and has no other load, so `make synth` moves it into the DP16KD as the
/// block's output register (`tools/ecp5_bram.py`; Yosys's mapping never uses it). From there to the choice's
/// register was still one route from a block RAM to wherever the choice sat (6.33 ns on the 85F at 28a3fda: the three
/// banks' tiles of one bit lie apart), so a fabric register (`_near`) follows it: the route is cut in two.
/// The write is registered too, twice (`write`). A memory of one bank is a memory with those registers.
///
/// Why columns: a bank's words span many block RAMs side by side (57 DP16KD for bank 0 at V = 50257, L = 16), and one
/// register's write enable into all of them was a 7.4 ns route on the 85F. Each bank is cut by bit into columns of
/// `tilesPerColumn` block RAMs in the bank's mode, each its own memory with its own write enable, write address and
/// read enable registers (kept), so each can sit beside its block RAMs. The cut is along the tiles' edges, so the
/// tile count does not change. Columns are four tiles: with eight the placer spread a column's tiles over the part's
/// block RAM rows, and its address register's route to the farthest was the 45F's critical path (6.71 ns, seed 1 at
/// e199cb9); columns of one tile (about 1 900 flip-flops more) did not place on the 45F at all (nextpnr: "Unable to
/// find legal placement", 7b4c800). The last column also takes the bits left over.
///
/// Why these banks (`plan`): a DP16KD holds 512 × 36, 1 024 × 18 or 2 048 × 9 bits (and narrower), so a wide word
/// fills tiles best in a deep mode, but the depth is rounded up to the mode's. The banks are powers of two, largest
/// first (so each starts at a multiple of its own size and of every later one), the last holds the rest; `plan`
/// picks the cut with the fewest tiles, then the fewest banks. At V = 50257, L = 16 (3 183 words of 512 bits) that is
/// 2 048 + 1 024 + 111 words in 57 + 29 + 15 DP16KD (101, and 3 banks for the choice), where banks of 512 took 105
/// in 7.
struct BankedMemory {
    /// The ECP5 DP16KD's modes (words, bits), widest first. Every bank but the last is a power of two at least as deep
    /// as the first mode. (The cut follows the ECP5's geometry, the part `make synth` measures.)
    static let blockRAMModes = [(512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1)]
    /// Clocks from a read to its data: each column's address register, the block RAM, its output register, the
    /// fabric register, the choice's register.
    static let readLatency = 5

    /// Block RAMs per column (`Column`): the fan-out of each column's enable and address registers.
    static let tilesPerColumn = 4

    /// Bits `low ..< low + width` of a bank's words.
    struct Column { let low: Int; let width: Int; let memory: Memory }
    /// One bank: its first address, its depth (a power of two, except the last bank's) and its columns, low bits first.
    struct Bank {
        let start: Int
        let depth: Int
        let columns: [Column]
        var addressWidth: Int { columns[0].memory.addressWidth }
    }

    let name: String
    let banks: [Bank]
    private let m: ModuleBuilder

    init(_ m: ModuleBuilder, name: String, depth: Int, width: Int) {
        self.m = m
        self.name = name
        let depths = Self.plan(depth: depth, width: width)
        var start = 0
        banks = depths.enumerated().map { k, d in
            defer { start += d }
            let bankName = depths.count == 1 ? name : "\(name)_bank\(k)"
            let columnWidth = Self.mode(depth: d, width: width).bits * Self.tilesPerColumn
            // A remnant narrower than a column joins the column before it: alone, Yosys maps a shallow one to LUT
            // RAM (bank 2's 111 × 8 bits at V = 50257, L = 16 took 14 TRELLIS_DPR16X4).
            var lows = Array(stride(from: 0, to: width, by: columnWidth))
            if lows.count > 1, width % columnWidth != 0 { lows.removeLast() }
            return Bank(start: start, depth: d, columns: lows.enumerated().map { g, low in
                let bits = g == lows.count - 1 ? width - low : columnWidth
                return Column(low: low, width: bits,
                              memory: m.memory(lows.count == 1 ? bankName : "\(bankName)_c\(g)", depth: max(2, d),
                                               width: bits, readsNeverMeetWrites: true))
            })
        }
    }

    /// The registers' names of bank `k`'s column `g`: its memory's (`<name>_bank<k>`, or `<name>` with one bank, with
    /// `_c<g>` where the bank has several columns).
    private func registerName(bank k: Int, column g: Int, _ suffix: String) -> String {
        banks[k].columns[g].memory.name + "_" + suffix
    }

    /// Block RAM tiles for a bank of `depth` words of `width` bits in the cheapest mode at least that deep (a bank
    /// never cascades tiles in depth: that would put Yosys's choice among them back on the read path); nil when no
    /// mode is that deep.
    static func tiles(depth: Int, width: Int) -> Int? {
        blockRAMModes.filter { $0.0 >= depth }.map { (width + $0.1 - 1) / $0.1 }.min()
    }

    /// The mode `tiles` counts in: the cheapest at least `depth` deep (of equals, the narrowest).
    static func mode(depth: Int, width: Int) -> (words: Int, bits: Int) {
        let fits = blockRAMModes.filter { $0.0 >= depth }
        precondition(!fits.isEmpty, "no block RAM mode is \(depth) words deep")
        return fits.min { a, b in
            let (ta, tb) = ((width + a.1 - 1) / a.1, (width + b.1 - 1) / b.1)
            return ta != tb ? ta < tb : a.1 < b.1
        }!
    }

    /// The banks' depths, first to last: the fewest tiles, then the fewest banks (see the type's comment).
    static func plan(depth: Int, width: Int) -> [Int] {
        typealias Cut = (tiles: Int, depths: [Int])
        var known: [[Int]: Cut] = [:]
        // The cheapest cut of `depth` words into banks of at most `largest` words each.
        func cut(_ depth: Int, largest: Int) -> Cut {
            if let c = known[[depth, largest]] { return c }
            var choice: Cut = (Int.max, [])
            if depth <= largest, let t = tiles(depth: depth, width: width) { choice = (t, [depth]) }
            var size = blockRAMModes[0].0
            while size < depth, size <= largest, let t = tiles(depth: size, width: width) {
                let rest = cut(depth - size, largest: size)
                if rest.tiles < Int.max, t + rest.tiles < choice.tiles
                    || (t + rest.tiles == choice.tiles && rest.depths.count + 1 < choice.depths.count) {
                    choice = (t + rest.tiles, [size] + rest.depths)
                }
                size *= 2
            }
            known[[depth, largest]] = choice
            return choice
        }
        let banks = cut(depth, largest: Int.max)
        precondition(banks.tiles < Int.max, "a memory of \(depth) words has no cut into block RAMs")
        return banks.depths
    }

    /// Whether `address` lies in bank `k`: the address bits above the bank's size (above the previous bank's size
    /// for the last bank, which can be smaller) equal the bank's start. Banks are aligned, so this is a prefix test.
    private func selects(_ address: Value, bank k: Int) -> Value {
        if banks.count == 1 { return .true }
        let size = k == banks.count - 1 ? banks[k - 1].depth : banks[k].depth
        let low = size.trailingZeroBitCount
        return address.bits(address.width - 1, low) === (banks[k].start >> low)
    }

    /// `address` inside bank `k`: its low bits (the bank starts at a multiple of a power of two above its depth).
    private func offset(_ address: Value, bank k: Int) -> Value {
        address.bits(banks[k].addressWidth - 1, 0)
    }

    /// The number of the bank that holds `address`.
    private func bankIndex(_ address: Value) -> Value {
        let width = max(1, ceilLog2(banks.count))
        return banks.indices.dropFirst().reduce(Value.literal(0, width: width)) { index, k in
            mux(selects(address, bank: k), .literal(UInt64(k), width: width), index)
        }
    }

    /// Writes `data` at `address` two clocks after `enable`, from registers in two stages. The first registers the
    /// data, the address and each bank's enable once, where the writer's handshake logic ends; the second is each
    /// column's own enable and address registers (kept, so each can sit beside its block RAMs) and the data again.
    /// With one stage the handshake's logic drove every column's enable register (a LUT shared by all of them, 6 ns
    /// of it routing, 85F seed 2 at b6320c1). Callers read a word at least three clocks after its handshake, and
    /// never use a read in the clock the word is written (the banks carry `readsNeverMeetWrites`: with the enable
    /// from a register Yosys could not prove that and built old-data logic on every read bit).
    func write(address: Value, data: Value, enable: Value) {
        let firstAddress = m.regNext("\(name)_write_address_in", address)
        let registeredData = m.regNext("\(name)_write_data", m.regNext("\(name)_write_data_in", data))
        let columns = banks.map(\.columns.count).reduce(0, +)
        // One address register for a memory of one column; otherwise a kept copy per column.
        let sharedAddress = columns == 1 ? m.regNext("\(name)_write_address", firstAddress) : nil
        for (k, bank) in banks.enumerated() {
            let select = m.regNext(banks.count == 1 ? "\(name)_write_select" : "\(name)_bank\(k)_write_select",
                                   enable & selects(address, bank: k), reset: 0)
            for (g, column) in bank.columns.enumerated() {
                let write = m.reg(registerName(bank: k, column: g, "write"), 1, reset: 0, keep: columns > 1)
                write <== select
                let registeredAddress = sharedAddress ?? {
                    let copy = m.reg(registerName(bank: k, column: g, "write_address"), address.width, keep: true)
                    copy <== firstAddress
                    return copy
                }()
                column.memory.write(address: offset(registeredAddress, bank: k),
                                    data: registeredData.bits(column.low + column.width - 1, column.low), enable: write)
            }
        }
    }

    /// The data at `address`, `readLatency` clocks after a read (each column's address register, the block RAM's
    /// read, its two registers, the choice's register). Every bank reads two clocks after each clock with `readsNext`
    /// high, whatever the address: each column's read enable is its own register (`<name>_bank<k>_read_enable`, kept,
    /// so it can sit beside its block RAMs), where a choice of the bank from the address on the enables was a critical
    /// path (the address → the bank's select → 29 block RAMs' CEB across the part); they load from one register of
    /// `readsNext`. Each column's address is its own register too (`_read_address`, kept): the caller's address
    /// register drove every column's block RAM addresses, one 8.2 ns route to the farthest (85F seed 4 at 58c5b16).
    /// `readsNext` may be high more often than reads are issued: the caller uses only the data of the reads it
    /// issued, and a bank's extra read of the word being written is such an unused read.
    /// The registers are `<name>_bank<k>_q` and `<name>_bank<k>_near` (one bank: `<readName>_q`, `<readName>_near`),
    /// then `<readName>`.
    func read(address: Value, readsNext: Value, name readName: String) -> Value {
        // Bank k's words: its columns' reads, each from its own address and read enable registers (kept).
        let enableIn = m.regNext("\(name)_read_enable_in", readsNext, reset: 0)
        let words = banks.enumerated().map { k, bank in
            concat(bank.columns.enumerated().reversed().map { g, column in
                let enable = m.reg(registerName(bank: k, column: g, "read_enable"), 1, reset: 0, keep: true)
                enable <== enableIn
                let columnAddress = m.reg(registerName(bank: k, column: g, "read_address"), bank.addressWidth, keep: true)
                columnAddress <== offset(address, bank: k)
                return column.memory.read(address: columnAddress, enable: enable)
            })
        }
        // The output register (moved into the block RAM by `make synth`), then the fabric register beside it.
        func registered(_ word: Value, _ prefix: String) -> Value {
            m.regNext("\(prefix)_near", m.regNext("\(prefix)_q", word))
        }
        if banks.count == 1 {
            return m.regNext(readName, registered(words[0], readName))
        }
        let registered = banks.indices.map { k in registered(words[k], "\(name)_bank\(k)") }
        let chosen = m.shiftRegister("\(name)_read_bank", bankIndex(address), stages: Self.readLatency - 1).last!
        return m.regNext(readName, m.select("\(readName)_choice", registered, index: chosen))
    }
}
