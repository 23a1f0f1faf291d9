// Self-checking testbench for one HADES verifier configuration: Verilog-2005, no DPI, no SystemVerilog
// (runs in Icarus `iverilog -g2005`, Verilator `--binary --timing`; written for Vivado xsim and Questa too).
//
// The configuration comes from `tb_config.vh` (written by `hades-sim --export-testbench DIR`, next to this file):
// the DUT's module name, TDATA widths, field widths and vector counts. Vectors ($readmemh, one line per beat):
//   cmd.hex              s_axis_cmd_tdata, one command per round
//   logits.hex           {tlast, s_axis_logits_tdata}, every target-row beat of every round
//   draft.hex            {tlast, s_axis_draft_tdata} (sampling only)
//   expected_result.hex  m_axis_result_tdata per round (golden model; padding bits 0)
//   expected_tokens.hex  {tlast, m_axis_tokens_tdata} per emitted token
//   expected_committed.hex  committed_len after the last round
// Inputs get random gaps and both outputs random back-pressure from xorshift LFSRs (seed: +seed=HEX). Drivers
// change on the falling edge; handshakes are recorded on the rising edge, before the DUT's registers update.
// Prints `PASS <n> rounds`, or `FAIL round r field f` and stops with $fatal (non-zero exit). A watchdog ends a
// run that stops making progress.
`timescale 1ns/1ps
`default_nettype none
`include "tb_config.vh"

module hades_tb;
    localparam CMD_W = `HADES_TB_CMD_W;
    localparam LOGIT_W = `HADES_TB_LOGIT_W;
    localparam RESULT_W = `HADES_TB_RESULT_W;
    localparam TOKEN_W = `HADES_TB_TOKEN_W;
    localparam TW = `HADES_TB_TW;          // token field bits
    localparam GW = `HADES_TB_GW;          // γ field bits
    localparam FW = 6;                     // result flags
    localparam N_ROUNDS = `HADES_TB_ROUNDS;
    localparam N_LOGITS = `HADES_TB_LOGIT_BEATS;
    localparam N_DRAFT = `HADES_TB_DRAFT_BEATS;
    localparam N_TOKENS = `HADES_TB_TOKENS;
    localparam MAX_CYCLES = `HADES_TB_MAX_CYCLES;
    localparam [7:0] GAP = `HADES_TB_GAP;       // valid withheld with probability GAP/256 per offer
    localparam [7:0] STALL = `HADES_TB_STALL;   // ready low with probability STALL/256 per cycle

    reg aclk = 1'b0;
    reg aresetn = 1'b0;
    always #5 aclk = ~aclk;

    // MARK: vectors
    reg [CMD_W-1:0] cmd_mem [0:N_ROUNDS-1];
    reg [LOGIT_W:0] logit_mem [0:N_LOGITS-1];
    reg [LOGIT_W:0] draft_mem [0:(N_DRAFT > 0 ? N_DRAFT : 1)-1];
    reg [RESULT_W-1:0] expected_result [0:N_ROUNDS-1];
    reg [TOKEN_W:0] expected_tokens [0:N_TOKENS-1];
    reg [31:0] expected_committed [0:0];
    reg [31:0] seed;
    initial begin
        $readmemh("cmd.hex", cmd_mem);
        $readmemh("logits.hex", logit_mem);
        if (N_DRAFT > 0) $readmemh("draft.hex", draft_mem);
        $readmemh("expected_result.hex", expected_result);
        $readmemh("expected_tokens.hex", expected_tokens);
        $readmemh("expected_committed.hex", expected_committed);
        if (!$value$plusargs("seed=%h", seed)) seed = 32'h1bad5eed;
    end

    // MARK: the unit
    reg cmd_valid = 1'b0, logit_valid = 1'b0, logit_last = 1'b0, draft_valid = 1'b0, draft_last = 1'b0;
    reg [CMD_W-1:0] cmd_data = {CMD_W{1'b0}};
    reg [LOGIT_W-1:0] logit_data = {LOGIT_W{1'b0}}, draft_data = {LOGIT_W{1'b0}};
    reg result_ready = 1'b0, tokens_ready = 1'b0;
    wire cmd_ready, logit_ready, draft_ready, result_valid, tokens_valid, tokens_last;
    wire [RESULT_W-1:0] result_data;
    wire [TOKEN_W-1:0] tokens_data;
    wire [31:0] committed_len;

    `HADES_TB_DUT dut (
        .aclk(aclk), .aresetn(aresetn),
        .s_axis_cmd_tvalid(cmd_valid), .s_axis_cmd_tready(cmd_ready), .s_axis_cmd_tdata(cmd_data),
        .s_axis_logits_tvalid(logit_valid), .s_axis_logits_tready(logit_ready), .s_axis_logits_tdata(logit_data),
        .s_axis_logits_tlast(logit_last),
`ifdef HADES_TB_SAMPLING
        .s_axis_draft_tvalid(draft_valid), .s_axis_draft_tready(draft_ready), .s_axis_draft_tdata(draft_data),
        .s_axis_draft_tlast(draft_last),
`endif
        .m_axis_result_tvalid(result_valid), .m_axis_result_tready(result_ready), .m_axis_result_tdata(result_data),
        .m_axis_tokens_tvalid(tokens_valid), .m_axis_tokens_tready(tokens_ready), .m_axis_tokens_tdata(tokens_data),
        .m_axis_tokens_tlast(tokens_last),
        .committed_len(committed_len)
    );
`ifndef HADES_TB_SAMPLING
    assign draft_ready = 1'b0;  // greedy units have no draft stream
`endif

    // MARK: randomness (xorshift32: a linear-feedback shift generator, never 0 from a non-zero seed)
    function [31:0] xorshift;
        input [31:0] s;
        reg [31:0] x;
        begin
            x = s ^ (s << 13);
            x = x ^ (x >> 17);
            xorshift = x ^ (x << 5);
        end
    endfunction
    reg [31:0] r_cmd, r_logit, r_draft, r_ready;
    initial begin
        #1;
        r_cmd = seed ^ 32'h9e3779b9;
        r_logit = seed ^ 32'h85ebca6b;
        r_draft = seed ^ 32'hc2b2ae35;
        r_ready = seed ^ 32'h27d4eb2f;
    end

    // MARK: handshakes, recorded on the rising edge (the values the DUT saw)
    reg cmd_fire = 1'b0, logit_fire = 1'b0, draft_fire = 1'b0;
    integer cmd_index = 0, logit_index = 0, draft_index = 0, result_index = 0, token_index = 0, token_round = 0;
    integer cycle = 0;
    always @(posedge aclk) begin
        cmd_fire <= aresetn & cmd_valid & cmd_ready;
        logit_fire <= aresetn & logit_valid & logit_ready;
        draft_fire <= aresetn & draft_valid & draft_ready;
        if (aresetn && result_valid && result_ready) check_result;
        if (aresetn && tokens_valid && tokens_ready) check_token;
        cycle = cycle + 1;
        if (cycle > MAX_CYCLES) begin
            $display("FAIL round %0d field watchdog (%0d cycles: %0d/%0d commands, %0d/%0d logit beats, %0d/%0d draft beats, %0d/%0d results, %0d/%0d tokens)",
                     result_index, cycle, cmd_index, N_ROUNDS, logit_index, N_LOGITS, draft_index, N_DRAFT,
                     result_index, N_ROUNDS, token_index, N_TOKENS);
            $fatal(1, "watchdog");
        end
    end

    task fail;
        input integer round;
        input [8*16-1:0] field;
        begin
            $display("FAIL round %0d field %0s", round, field);
            $fatal(1, "mismatch");
        end
    endtask

    task check_result;
        reg [RESULT_W-1:0] want;
        begin
            if (result_index >= N_ROUNDS) fail(result_index, "extra_result");
            want = expected_result[result_index];
            if (result_data[TW-1:0] !== want[TW-1:0]) fail(result_index, "token");
            if (result_data[TW+GW-1:TW] !== want[TW+GW-1:TW]) fail(result_index, "accepted");
            if (result_data[TW+2*GW-1:TW+GW] !== want[TW+2*GW-1:TW+GW]) fail(result_index, "rollback");
            if (result_data[TW+2*GW+FW-1:TW+2*GW] !== want[TW+2*GW+FW-1:TW+2*GW]) fail(result_index, "flags");
            if (result_data !== want) fail(result_index, "result_padding");
            result_index = result_index + 1;
        end
    endtask

    task check_token;
        reg [TOKEN_W:0] want;
        begin
            if (token_index >= N_TOKENS) fail(token_round, "extra_token");
            want = expected_tokens[token_index];
            if (tokens_data[TW-1:0] !== want[TW-1:0]) fail(token_round, "emitted_token");
            if (tokens_last !== want[TOKEN_W]) fail(token_round, "tokens_tlast");
            if (tokens_data !== want[TOKEN_W-1:0]) fail(token_round, "tokens_padding");
            token_index = token_index + 1;
            if (tokens_last) token_round = token_round + 1;
        end
    endtask

    // MARK: drivers, on the falling edge. A valid beat stays up, unchanged, until its handshake (AXI4-Stream).
    always @(negedge aclk) begin
        r_cmd = xorshift(r_cmd);
        r_logit = xorshift(r_logit);
        r_draft = xorshift(r_draft);
        r_ready = xorshift(r_ready);
        if (cmd_fire) cmd_index = cmd_index + 1;
        if (logit_fire) logit_index = logit_index + 1;
        if (draft_fire) draft_index = draft_index + 1;
        if (aresetn) begin
            if (!cmd_valid || cmd_fire) begin
                cmd_valid <= cmd_index < N_ROUNDS && r_cmd[7:0] >= GAP;
                if (cmd_index < N_ROUNDS) cmd_data <= cmd_mem[cmd_index];
            end
            if (!logit_valid || logit_fire) begin
                logit_valid <= logit_index < N_LOGITS && r_logit[7:0] >= GAP;
                if (logit_index < N_LOGITS) {logit_last, logit_data} <= logit_mem[logit_index];
            end
            if (!draft_valid || draft_fire) begin
                draft_valid <= draft_index < N_DRAFT && r_draft[7:0] >= GAP;
                if (draft_index < N_DRAFT) {draft_last, draft_data} <= draft_mem[draft_index];
            end
            result_ready <= r_ready[7:0] >= STALL;
            tokens_ready <= r_ready[15:8] >= STALL;
        end
    end

    // MARK: reset, then wait until every beat is in and every result and token is out
    integer drain;
    initial begin
        repeat (4) @(negedge aclk);
        aresetn = 1'b1;
        wait (result_index == N_ROUNDS && token_index == N_TOKENS && cmd_index == N_ROUNDS
              && logit_index == N_LOGITS && draft_index == N_DRAFT);
        // A surplus result or token would show up within a few dozen cycles (caught by the checks above).
        for (drain = 0; drain < 64; drain = drain + 1) @(negedge aclk);
        if (committed_len !== expected_committed[0]) fail(N_ROUNDS - 1, "committed_len");
        $display("PASS %0d rounds", N_ROUNDS);
        $finish;
    end
endmodule

`resetall
