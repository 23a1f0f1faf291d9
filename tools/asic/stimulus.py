"""Stimulus for the gate-level power run: a real trace streamed as the co-simulation streams it.

From a trace (.npz, DESIGN.md) and the generated Verilog's header (ports, widths, parameters), writes
  cmd.hex      one command word per round (γ, draft tokens; sampling: uniforms, mode bits 0),
  logits.hex   + logits_last.hex   every target row 0…γ of every round, one beat per word (lane k at k·W),
  draft.hex    + draft_last.hex    (sampling) draft rows 0…γ−1 of every round,
  expected.json                    per round: γ, accepted n, token, the beats, and the trace's tokens,
and a Verilog-2005 testbench (`hades_asic_tb`) that drives every input stream at the falling edge with the
producer never stalling (valid whenever a beat is left), records handshakes at the rising edge, keeps both
outputs ready, and writes one line per result: `<result tdata hex> <cycle of the round's first logit beat>
<cycle of its result>`. A trace row shorter than the configuration's V is padded with the format's −inf code
(the padded tokens cannot win and carry no probability); lanes past V are 0, as the co-simulation sends them.
"""
from __future__ import annotations

import json
import math
import os
import re

import numpy as np


RESET_CYCLES = 4   # aresetn is low for the first 4 clock cycles; toggle counting starts after them


class StimulusError(ValueError):
    pass


def read_header(verilog):
    """Top name, ports {name: (direction, width)} and the `Parameters:` of a hadesgen file's header comment."""
    top = re.search(r"^// Top module:\s*(\S+)", verilog, re.M)
    if not top:
        raise StimulusError("generated Verilog has no `// Top module:` header line")
    ports = {}
    for d, w, name in re.findall(r"^//\s+(input|output)\s+(\d+)\s+(\S+)", verilog, re.M):
        ports[name] = (d, int(w))
    params = {}
    block = re.search(r"^// Parameters:\n((?://   .*\n)+)", verilog, re.M)
    if block:
        for k, v in re.findall(r"^//\s+(\w+)\s*=\s*(\S+)", block.group(1), re.M):
            params[k] = v
    for need in ("vocab", "gamma_max", "lanes", "format"):
        if need not in params:
            raise StimulusError(f"generated Verilog header lacks parameter {need}")
    # The module declaration is the authority on widths (the header comment documents them).
    m = re.search(rf"^module\s+{re.escape(top.group(1))}\s*\((.*?)\);", verilog, re.M | re.S)
    if not m:
        raise StimulusError(f"module {top.group(1)} not found")
    decl = {}
    for d, msb, lsb, name in re.findall(r"(input|output)\s+wire\s+(?:\[(\d+):(\d+)\]\s+)?(\w+)", m.group(1)):
        decl[name] = (d, int(msb) - int(lsb) + 1 if msb else 1)
    if ports and decl != ports:
        raise StimulusError(f"header ports {ports} differ from the module's {decl}")
    return top.group(1), decl, params


def header_layouts(verilog):
    """Field positions from a header's `TDATA layouts` block, when the generator writes one:
    {port: {field: (offset, width)}}; an array field `x[i] [o + w*i +: w]` is stored as `x` with offset o."""
    out = {}
    for port, body in re.findall(r"^//\s+(\w+_tdata)\[\d+:\d+\]:\s*(.*)$", verilog, re.M):
        fields = {}
        for part in body.split(";"):
            part = part.strip()
            m = re.fullmatch(r"(\w+)\[i\] \[(\d+) \+ (\d+)\*i \+: (\d+)\].*", part)
            if m:
                fields[m.group(1)] = (int(m.group(2)), int(m.group(4)))
                continue
            m = re.fullmatch(r"(\w+(?: \w+)?) \[(\d+):(\d+)\]", part)
            if m:
                fields[m.group(1)] = (int(m.group(3)), int(m.group(2)) - int(m.group(3)) + 1)
        out[port] = fields
    return out


def check_layout(verilog, expected):
    """Refuses a generated file whose header documents other field positions than the ones the vectors use."""
    layouts = header_layouts(verilog)
    for port, fields in expected.items():
        for name, pos in fields.items():
            got = layouts.get(port, {}).get(name)
            if got is not None and got != pos:
                raise StimulusError(f"{port}: the header puts {name} at (offset, width) {got}; the stimulus "
                                    f"writes it at {pos}")


def format_bits(fmt):
    if fmt in ("fp16", "bf16"):
        return 16
    if fmt == "fp32":
        return 32
    m = re.fullmatch(r"fixed(\d+)\.(\d+)", fmt)
    if not m:
        raise StimulusError(f"unknown format {fmt!r}")
    return int(m.group(1))


def encode(values, fmt, name):
    """Float logits -> the configuration's codes (uint64): raw IEEE bits, or fixed point rounded half to even and
    saturated (DESIGN.md); NaN is refused."""
    x = np.asarray(values)
    if fmt == "fp16":
        return x.astype(np.float16).view(np.uint16).astype(np.uint64)
    if fmt == "fp32":
        return x.astype(np.float32).view(np.uint32).astype(np.uint64)
    if np.isnan(x).any():
        idx = np.argwhere(np.isnan(x))[0]
        raise StimulusError(f"{name}: NaN at index {tuple(int(i) for i in idx)}")
    if fmt == "bf16":
        b = x.astype(np.float32).view(np.uint32).astype(np.uint64)
        return ((b + 0x7FFF + ((b >> 16) & 1)) >> 16) & 0xFFFF
    m = re.fullmatch(r"fixed(\d+)\.(\d+)", fmt)
    w, f = int(m.group(1)), int(m.group(2))
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    with np.errstate(over="ignore", invalid="ignore"):
        q = np.rint(x.astype(np.float64) * 2.0 ** f)
    q = np.clip(np.nan_to_num(q, posinf=hi, neginf=lo), lo, hi).astype(np.int64)
    return (q & ((1 << w) - 1)).astype(np.uint64)


def neg_inf_code(fmt):
    return {"fp16": 0xFC00, "bf16": 0xFF80, "fp32": 0xFF800000}.get(fmt, None) or (1 << (format_bits(fmt) - 1))


def _hex_words(codes, lanes, bits, width):
    """[beats, lanes] codes -> one hex word per beat of `width` bits (lane k at bits k·W)."""
    digits = (width + 3) // 4
    out = []
    for beat in codes:
        v = 0
        for k in range(lanes - 1, -1, -1):
            v = (v << bits) | int(beat[k])
        out.append(f"{v:0{digits}x}")
    return out


def _beats(rows, lanes):
    """[rows, V] codes -> [rows·B, lanes], lanes past V zero."""
    r, v = rows.shape
    b = -(-v // lanes)
    padded = np.zeros((r, b * lanes), dtype=np.uint64)
    padded[:, :v] = rows
    return padded.reshape(r * b, lanes), b


def build(trace_path, verilog, out_dir, clock_period_ns, rounds=None):
    """Writes the vectors and `tb.v` into out_dir; returns a description (dict) of what was written."""
    top, ports, params = read_header(verilog)
    V, G, L, fmt = int(params["vocab"]), int(params["gamma_max"]), int(params["lanes"]), params["format"]
    W = format_bits(fmt)
    sampling = "s_axis_draft_tdata" in ports
    try:
        d = np.load(trace_path)
        logits, drafts, gammas = d["target_logits"], d["draft_tokens"], d["gamma"]
    except (OSError, KeyError, ValueError) as e:
        raise StimulusError(f"{trace_path}: cannot read the trace ({e})") from e
    R = len(gammas) if rounds is None else min(rounds, len(gammas))
    Vt = logits.shape[2]
    if Vt > V:
        raise StimulusError(f"{trace_path}: rows have {Vt} logits, more than the configuration's V = {V}")
    TW = max(1, math.ceil(math.log2(V)))
    GW = max(1, (G).bit_length())
    if sampling:
        if "draft_logits" not in d.files or "uniforms" not in d.files:
            raise StimulusError(f"{trace_path}: sampling needs draft_logits and uniforms")
        dlogits, uniforms = d["draft_logits"], d["uniforms"]
    cmd_w = ports["s_axis_cmd_tdata"][1]
    need = GW + G * TW + ((G + 1) * 32 + 2 if sampling else 0)
    if cmd_w < need:
        raise StimulusError(f"s_axis_cmd_tdata is {cmd_w} bits; the documented layout needs {need}")
    uoff = GW + G * TW
    check_layout(verilog, {"s_axis_cmd_tdata": {"gamma": (0, GW), "draft_token": (GW, TW),
                                                **({"uniform": (uoff, 32)} if sampling else {})},
                           "m_axis_result_tdata": {"token": (0, TW), "accepted": (TW, GW), "rollback": (TW + GW, GW)}})
    log_w = ports["s_axis_logits_tdata"][1]
    if log_w < L * W:
        raise StimulusError(f"s_axis_logits_tdata is {log_w} bits, fewer than L·W = {L * W}")
    pad = neg_inf_code(fmt)

    def rows_of(arr, r, n, name):
        codes = np.full((n, V), pad, dtype=np.uint64)
        if n:
            codes[:, :Vt] = encode(arr[r, :n], fmt, f"{trace_path}: {name}[{r}]")
        return codes

    cmds, beats, lasts, dbeats, dlasts, expected = [], [], [], [], [], []
    for r in range(R):
        g = int(gammas[r])
        if g > G:
            raise StimulusError(f"{trace_path}: round {r} has γ = {g} > Γ = {G}")
        toks = [int(t) for t in drafts[r, :g]]
        word = g
        for i, t in enumerate(toks):
            if not 0 <= t < (1 << TW):
                raise StimulusError(f"{trace_path}: draft token {t} of round {r} does not fit {TW} bits")
            word |= t << (GW + i * TW)
        if sampling:
            for i in range(g + 1):
                word |= int(uniforms[r, i]) << (GW + G * TW + 32 * i)
        cmds.append(word)
        target = rows_of(logits, r, g + 1, "target_logits")
        b, B = _beats(target, L)
        beats.append(b)
        lasts += ([0] * (B - 1) + [1]) * (g + 1)
        if sampling and g:
            db, _ = _beats(rows_of(dlogits, r, g, "draft_logits"), L)
            dbeats.append(db)
            dlasts += ([0] * (B - 1) + [1]) * g
        exp = {"round": r, "gamma": g, "draft_tokens": toks}
        if "accepted" in d.files and "next_token" in d.files:
            exp.update(accepted=int(d["accepted"][r]), token=int(d["next_token"][r]))
        if not sampling:   # greedy: the rule on the padded codes (the trace's float reference, recomputed)
            keys = _order_keys(target, fmt, W)
            n = 0
            while n < g and int(np.argmax(keys[n])) == toks[n]:
                n += 1
            a = int(np.argmax(keys[n]))
            if "accepted" in exp and (exp["accepted"], exp["token"]) != (n, a):
                raise StimulusError(f"{trace_path}: round {r}: the trace says n={exp['accepted']}, "
                                    f"token={exp['token']}; argmax of the codes gives n={n}, token={a}")
            exp.update(accepted=n, token=a)
        expected.append(exp)
    os.makedirs(out_dir, exist_ok=True)
    all_beats = np.concatenate(beats)
    _write(os.path.join(out_dir, "cmd.hex"), [f"{c:0{(cmd_w + 3) // 4}x}" for c in cmds])
    _write(os.path.join(out_dir, "logits.hex"), _hex_words(all_beats, L, W, log_w))
    _write(os.path.join(out_dir, "logits_last.hex"), [str(x) for x in lasts])
    starts = np.cumsum([0] + [len(b) for b in beats[:-1]])
    _write(os.path.join(out_dir, "round_start.hex"), [f"{int(x):08x}" for x in starts])
    n_draft = 0
    if sampling:
        if dbeats:
            all_d = np.concatenate(dbeats)
            n_draft = len(all_d)
            _write(os.path.join(out_dir, "draft.hex"), _hex_words(all_d, L, W, ports["s_axis_draft_tdata"][1]))
            _write(os.path.join(out_dir, "draft_last.hex"), [str(x) for x in dlasts])
        else:
            _write(os.path.join(out_dir, "draft.hex"), ["0"])
            _write(os.path.join(out_dir, "draft_last.hex"), ["0"])
    if any("accepted" not in e for e in expected):
        raise StimulusError(f"{trace_path}: sampling traces need `accepted` and `next_token` to check the run")
    tokens = sum(e["accepted"] + 1 for e in expected)
    desc = {"top": top, "ports": ports, "params": params, "vocab": V, "gamma_max": G, "lanes": L, "format": fmt,
            "sampling": sampling, "token_bits": TW, "gamma_bits": GW, "beats_per_row": -(-V // L),
            "rounds": R, "beats": len(all_beats), "draft_beats": n_draft, "tokens": tokens,
            "trace": os.path.relpath(trace_path), "trace_vocab": Vt, "expected": expected,
            "clock_period_ns": clock_period_ns}
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(desc, f, indent=1)
    with open(os.path.join(out_dir, "tb.v"), "w") as f:
        f.write(testbench(desc))
    return desc


def _order_keys(codes, fmt, W):
    """Order-preserving integer keys of codes (argmax = the greedy rule, ties to the lowest index)."""
    c = codes.astype(np.int64)
    if fmt.startswith("fixed"):
        return c ^ (1 << (W - 1))
    sign = 1 << (W - 1)
    exp_mask = {"fp16": 0x7C00, "bf16": 0x7F80, "fp32": 0x7F800000}[fmt]
    man_mask = {"fp16": 0x03FF, "bf16": 0x007F, "fp32": 0x007FFFFF}[fmt]
    nan = ((c & exp_mask) == exp_mask) & ((c & man_mask) != 0)
    c = np.where(nan, sign | exp_mask, c)                  # NaN -> -inf
    c = np.where(c == sign, 0, c)                           # -0 -> +0
    return np.where(c & sign, (sign - 1) - (c & (sign - 1)), c | sign)


def _write(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def testbench(desc):
    p = desc["ports"]
    w = {k: v[1] for k, v in p.items()}
    period = desc["clock_period_ns"]
    s = desc["sampling"]
    tokens = desc["tokens"]
    rounds = desc["rounds"]
    limit = desc["beats"] * 4 + rounds * 4 * desc["beats_per_row"] + 1000
    draft_decl = draft_drive = draft_sample = draft_ports = ""
    if s:
        n_draft = max(1, desc["draft_beats"])
        draft_decl = f"""
    reg [{w['s_axis_draft_tdata'] - 1}:0] draft_mem [0:{n_draft - 1}];
    reg draft_last_mem [0:{n_draft - 1}];
    integer di;
    reg draft_valid;
    reg [{w['s_axis_draft_tdata'] - 1}:0] draft_data;
    reg draft_last;
    wire draft_ready;
    initial begin $readmemh("draft.hex", draft_mem); $readmemh("draft_last.hex", draft_last_mem); end"""
        draft_drive = f"""
            draft_valid <= di < {desc['draft_beats']};
            draft_data <= di < {desc['draft_beats']} ? draft_mem[di] : 0;
            draft_last <= di < {desc['draft_beats']} ? draft_last_mem[di] : 1'b0;"""
        draft_sample = """
            if (draft_valid && draft_ready) di <= di + 1;"""
        draft_ports = """
        .s_axis_draft_tvalid(draft_valid), .s_axis_draft_tready(draft_ready),
        .s_axis_draft_tdata(draft_data), .s_axis_draft_tlast(draft_last),"""
    return f"""// Generated by tools/asic/stimulus.py: streams {desc['trace']} ({rounds} rounds) into the mapped netlist.
`timescale 1ns / 1ps
module hades_asic_tb;
    reg aclk = 1'b0;
    reg aresetn = 1'b0;
    always #{period / 2:.4f} aclk = ~aclk;

    reg [{w['s_axis_cmd_tdata'] - 1}:0] cmd_mem [0:{rounds - 1}];
    reg [{w['s_axis_logits_tdata'] - 1}:0] beat_mem [0:{desc['beats'] - 1}];
    reg beat_last_mem [0:{desc['beats'] - 1}];
    initial begin
        $readmemh("cmd.hex", cmd_mem);
        $readmemh("logits.hex", beat_mem);
        $readmemh("logits_last.hex", beat_last_mem);
    end
    integer ci, bi, ri, ti, cycle, fd;
    reg cmd_valid, beat_valid, beat_last;
    reg [{w['s_axis_cmd_tdata'] - 1}:0] cmd_data;
    reg [{w['s_axis_logits_tdata'] - 1}:0] beat_data;
    wire cmd_ready, beat_ready, res_valid, tok_valid, tok_last;
    wire [{w['m_axis_result_tdata'] - 1}:0] res_data;
    wire [{w['m_axis_tokens_tdata'] - 1}:0] tok_data;
    wire [{w['committed_len'] - 1}:0] committed_len;
    integer first_beat [0:{rounds - 1}];
    reg [31:0] start_mem [0:{rounds - 1}];
    integer si;
    initial $readmemh("round_start.hex", start_mem);{draft_decl}

    {desc['top']} dut (
        .aclk(aclk), .aresetn(aresetn),
        .s_axis_cmd_tvalid(cmd_valid), .s_axis_cmd_tready(cmd_ready), .s_axis_cmd_tdata(cmd_data),
        .s_axis_logits_tvalid(beat_valid), .s_axis_logits_tready(beat_ready),
        .s_axis_logits_tdata(beat_data), .s_axis_logits_tlast(beat_last),{draft_ports}
        .m_axis_result_tvalid(res_valid), .m_axis_result_tready(1'b1), .m_axis_result_tdata(res_data),
        .m_axis_tokens_tvalid(tok_valid), .m_axis_tokens_tready(1'b1), .m_axis_tokens_tdata(tok_data),
        .m_axis_tokens_tlast(tok_last), .committed_len(committed_len));

    initial begin
        ci = 0; bi = 0; ri = 0; ti = 0; cycle = 0;{" di = 0;" if s else ""}
        cmd_valid = 1'b0; beat_valid = 1'b0; beat_last = 1'b0; cmd_data = 0; beat_data = 0;{" draft_valid = 1'b0; draft_data = 0; draft_last = 1'b0;" if s else ""}
        si = 0;
        fd = $fopen("results.txt", "w");
    end

    // Inputs change at the falling edge; the producer offers a beat whenever one is left (never stalls).
    always @(negedge aclk) begin
        if (cycle == {RESET_CYCLES}) aresetn <= 1'b1;
        if (aresetn) begin
            cmd_valid <= ci < {rounds};
            cmd_data <= ci < {rounds} ? cmd_mem[ci] : 0;
            beat_valid <= bi < {desc['beats']};
            beat_data <= bi < {desc['beats']} ? beat_mem[bi] : 0;
            beat_last <= bi < {desc['beats']} ? beat_last_mem[bi] : 1'b0;{draft_drive}
        end
    end

    // Handshakes are recorded at the rising edge.
    always @(posedge aclk) begin
        cycle <= cycle + 1;
        if (cmd_valid && cmd_ready) ci <= ci + 1;
        if (beat_valid && beat_ready) begin
            bi <= bi + 1;
            if (si < {rounds} && bi == start_mem[si]) begin
                first_beat[si] = cycle;
                si <= si + 1;
            end
        end{draft_sample}
        if (res_valid) begin
            $fwrite(fd, "%h %0d %0d\\n", res_data, first_beat[ri], cycle);
            ri <= ri + 1;
        end
        if (tok_valid) begin
            $fwrite(fd, "token %h %0d\\n", tok_data, tok_last);
            ti <= ti + 1;
        end
        if ((ri == {rounds} && ti == {tokens}) || cycle > {limit}) begin
            $fwrite(fd, "end %0d\\n", cycle);
            $fclose(fd);
            $finish;
        end
    end
endmodule
"""
