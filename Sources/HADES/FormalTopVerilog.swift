import Golden
import HDL

extension FormalHarness {
    // The one piece of Verilog written as text: the HDL has no `assume`/`assert`, so the SymbiYosys top that
    // instantiates the DSL-built checker and states the properties is printed here, next to nothing else.
    /// The formal top: free inputs (the solver picks them each cycle), reset in the first cycle, `env_ok`
    /// assumed, the selected properties asserted from the second cycle on.
    static func formalTop(_ c: VerifierConfig, checker: Module) -> String {
        let inputs = checker.ports.filter { $0.direction == .input }
        let outputs = checker.ports.filter { $0.direction == .output }
        func range(_ p: PortInfo) -> String { p.width == 1 ? "" : "[\(p.width - 1):0] " }
        var v = ["`ifdef FORMAL", "`timescale 1ns/1ps", "`default_nettype none", "`ifdef HADES_CHECK_ALL"]
        v += propertyNames.map { "`define \(macro($0))" }
        v += ["`endif", "",
              "// Formal top for SymbiYosys (read -formal): every input is free in every cycle; aresetn is low in the",
              "// first cycle and free afterwards. Properties are asserted from the second cycle on.",
              "module \(formalName(c)) ("]
        v += inputs.enumerated().map { i, p in "    input wire \(range(p))\(p.name)" + (i + 1 < inputs.count ? "," : "") }
        v += [");"]
        v += outputs.map { "    wire \($0.name);" }
        let connections = (inputs + outputs).map { ".\($0.name)(\($0.name))" }
        v += ["    \(checker.name) u_checker (", "        " + connections.joined(separator: ",\n        "), "    );", "",
              "    reg f_started = 1'b0;",
              "    always @(posedge aclk) f_started <= 1'b1;", "",
              "    always @* begin",
              "        if (!f_started) assume (!aresetn);",
              "        assume (env_ok);",
              "        if (f_started) begin"]
        for name in propertyNames + brokenNames {
            v += ["`ifdef \(macro(name))", "            assert (\(name));", "`endif"]
        }
        v += ["        end", "    end", "endmodule", "`resetall", "`endif", ""]
        return v.joined(separator: "\n")
    }
}
