// Behavioural stand-ins for the SKY130 functional UDPs (sky130_fd_sc_hd_primitives.v), for simulators without
// UDP tables (Verilator 5.006). Compile the cell models with `-DFUNCTIONAL -DNO_PRIMITIVES` and this file.
// Same names, port order and two-state behaviour as the tables (x-pessimism rows have no two-state meaning).
// Set/reset are asynchronous and active high, as in the tables; set wins over reset in dff$NSR as in the table.
`timescale 1ns / 1ps
`default_nettype none
module sky130_fd_sc_hd__udp_mux_2to1 (output wire X, input wire A0, input wire A1, input wire S);
    assign X = S ? A1 : A0;
endmodule
module sky130_fd_sc_hd__udp_mux_2to1_N (output wire Y, input wire A0, input wire A1, input wire S);
    assign Y = ~(S ? A1 : A0);
endmodule
module sky130_fd_sc_hd__udp_mux_4to2 (output wire X, input wire A0, input wire A1, input wire A2, input wire A3,
                                      input wire S0, input wire S1);
    assign X = S1 ? (S0 ? A3 : A2) : (S0 ? A1 : A0);
endmodule
module sky130_fd_sc_hd__udp_dff$P (output reg Q, input wire D, input wire CLK);
    always @(posedge CLK) Q <= D;
endmodule
module sky130_fd_sc_hd__udp_dff$PR (output reg Q, input wire D, input wire CLK, input wire RESET);
    always @(posedge CLK or posedge RESET) Q <= RESET ? 1'b0 : D;
endmodule
module sky130_fd_sc_hd__udp_dff$PS (output reg Q, input wire D, input wire CLK, input wire SET);
    always @(posedge CLK or posedge SET) Q <= SET ? 1'b1 : D;
endmodule
module sky130_fd_sc_hd__udp_dff$NSR (output reg Q, input wire SET, input wire RESET, input wire CLK_N, input wire D);
    always @(posedge CLK_N or posedge SET or posedge RESET) Q <= SET ? 1'b1 : RESET ? 1'b0 : D;
endmodule
module sky130_fd_sc_hd__udp_dlatch$P (output reg Q, input wire D, input wire GATE);
    always @* if (GATE) Q = D;
endmodule
module sky130_fd_sc_hd__udp_dlatch$lP (output reg Q, input wire D, input wire GATE);
    always @* if (GATE) Q = D;
endmodule
module sky130_fd_sc_hd__udp_dlatch$PR (output reg Q, input wire D, input wire GATE, input wire RESET);
    always @* if (RESET) Q = 1'b0; else if (GATE) Q = D;
endmodule
`default_nettype wire
