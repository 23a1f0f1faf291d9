/// Identifiers the emitted Verilog must not use: Verilog-2005 and SystemVerilog keywords (Verilator and Vivado
/// parse both), plus names the emitter itself owns.
enum VerilogKeywords {
    static let all: Set<String> = Set("""
    always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default defparam
    design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive endspecify endtable
    endtask event for force forever fork function generate genvar highz0 highz1 if ifnone incdir include initial inout
    input instance integer join large liblist library localparam macromodule medium module nand negedge nmos nor
    noshowcancelled not notif0 notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown pullup
    pulsestyle_ondetect pulsestyle_onevent rcmos real realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1
    scalared showcancelled signed small specify specparam strong0 strong1 supply0 supply1 table task time tran tranif0
    tranif1 tri tri0 tri1 triand trior trireg unsigned use uwire vectored wait wand weak0 weak1 while wire wor xnor xor
    alias always_comb always_ff always_latch assert assume before bind bins binsof bit break byte chandle class clocking
    const constraint context continue cover covergroup coverpoint cross dist do endclass endclocking endgroup
    endinterface endpackage endprogram endproperty endsequence enum expect export extends extern final first_match
    foreach forkjoin iff ignore_bins illegal_bins import inside int interface intersect join_any join_none local logic
    longint matches modport new null package packed priority program property protected pure rand randc randcase
    randsequence ref return sequence shortint shortreal solve static string struct super tagged this throughout
    timeprecision timeunit type typedef union unique var virtual void wait_order wildcard with within accept_on
    checker endchecker eventually global implies let nexttime reject_on restrict s_always s_eventually s_nexttime
    s_until s_until_with strong sync_accept_on sync_reject_on unique0 until until_with untyped weak implements
    interconnect nettype soft
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
}

/// Gives every signal of a module a unique, legal Verilog name: the author's name where possible, made legal
/// (no `__`, no keywords, no leading digit) and suffixed `_1`, `_2`, … on collisions; temporaries are `t_<n>`.
struct NameAllocator {
    private var used: Set<String>

    init(reserved: [String]) {
        used = Set(reserved)
    }

    static func legalize(_ raw: String) -> String {
        var out = ""
        for ch in raw {
            let ok = ch.isASCII && (ch.isLetter || ch.isNumber || ch == "_")
            let c: Character = ok ? ch : "_"
            if c == "_", out.hasSuffix("_") { continue }
            out.append(c)
        }
        while out.hasSuffix("_") { out.removeLast() }
        while out.hasPrefix("_") { out.removeFirst() }
        if out.isEmpty { out = "s" }
        if let first = out.first, first.isNumber { out = "n_" + out }
        if VerilogKeywords.all.contains(out) { out += "_s" }
        return out
    }

    /// Claims exactly `name` (ports: their names are part of the interface).
    mutating func claim(_ name: String) { used.insert(name) }

    mutating func allocate(_ raw: String) -> String {
        let base = NameAllocator.legalize(raw)
        var candidate = base
        var n = 1
        while used.contains(candidate) || VerilogKeywords.all.contains(candidate) {
            candidate = "\(base)_\(n)"
            n += 1
        }
        used.insert(candidate)
        return candidate
    }
}
