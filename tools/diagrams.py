#!/usr/bin/env python3
"""Draws the documentation diagrams from docs/diagrams/model.json (written by `hades-export diagrams`):

  round.svg            WaveDrom: one round's handshakes on all four streams, cycle by cycle as the RTL ran it
  command_layout.svg   WaveDrom bit field: s_axis_cmd_tdata;  result_layout.svg: m_axis_result_tdata
  <unit>_pipeline.svg  block diagram of each unit's top module: ports, register groups, instances and which feeds
                       which, from the elaborated module structure

Every SVG carries the sha256 of the model it was drawn from (a test compares it with the committed model).
Usage: tools/diagrams.py [MODEL] [OUTDIR]   (make docs)
"""
import collections
import collections.abc
import hashlib
import html
import json
import os
import re
import sys

# wavedrom 2.0.3 imports attrdict, which still uses the pre-3.10 names.
for _name in ("Mapping", "MutableMapping", "Sequence"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
import wavedrom  # noqa: E402


def stamp(svg, digest):
    return svg.replace(">", f"><!-- drawn by tools/diagrams.py from model.json sha256 {digest} -->", 1)


def wave_bits(values):
    out, prev = "", None
    for v in values:
        out += "." if v == prev else str(v)
        prev = v
    return out


def wave_data(values, valid, label):
    """'=' with a label where a valid beat starts or changes, 'x' while not valid."""
    wave, data, prev = "", [], None
    for i, (v, ok) in enumerate(zip(values, valid)):
        key = (v, ok, i if ok and label(i) != label(i - 1) else None)
        if not ok:
            wave += "." if prev == "x" else "x"
            prev = "x"
        elif prev is not None and prev == key[:2] and label(i) == label(i - 1):
            wave += "."
        else:
            wave += "="
            data.append(label(i))
            prev = key[:2]
    return wave, data


def round_svg(model):
    r = model["round"]
    cyc = r["cycles"]
    col = lambda k: [c[k] for c in cyc]
    fire = lambda s, i: cyc[i][f"{s}_tvalid"] and cyc[i][f"{s}_tready"]
    first_beat = next(i for i in range(len(cyc)) if fire("s_axis_logits", i))
    result = next(i for i in range(len(cyc)) if fire("m_axis_result", i))
    n = cyc[result]["result_accepted"]
    measured = result - first_beat + 1
    B, D = r["beatsPerRow"], r["pipelineDepth"]
    drafts = ",".join(map(str, r["draftTokens"]))
    cmd_w, cmd_d = wave_data([0] * len(cyc), col("s_axis_cmd_tvalid"), lambda i: f"γ={r['gamma']}")
    log_w, log_d = wave_data(col("logits_beat"), col("s_axis_logits_tvalid"), lambda i: f"r{cyc[i]['logits_beat'] // B}.{cyc[i]['logits_beat'] % B}")
    res = lambda i: f"n={cyc[i]['result_accepted']} t={cyc[i]['result_token']}"
    res_w, res_d = wave_data(col("result_token"), col("m_axis_result_tvalid"), res)
    tok_w, tok_d = wave_data(col("m_axis_tokens_tdata"), col("m_axis_tokens_tvalid"),
                             lambda i: str(cyc[i]["m_axis_tokens_tdata"]))
    src = {
        "signal": [
            {"name": "aclk", "wave": "p" + "." * (len(cyc) - 1)},
            ["command",
             {"name": "tvalid", "wave": wave_bits(col("s_axis_cmd_tvalid"))},
             {"name": "tready", "wave": wave_bits(col("s_axis_cmd_tready"))},
             {"name": "tdata", "wave": cmd_w, "data": cmd_d}],
            ["logits",
             {"name": "tvalid", "wave": wave_bits(col("s_axis_logits_tvalid"))},
             {"name": "tready", "wave": wave_bits(col("s_axis_logits_tready"))},
             {"name": "tdata", "wave": log_w, "data": log_d},
             {"name": "tlast", "wave": wave_bits(col("s_axis_logits_tlast"))}],
            ["result",
             {"name": "tvalid", "wave": wave_bits(col("m_axis_result_tvalid"))},
             {"name": "tready", "wave": wave_bits(col("m_axis_result_tready"))},
             {"name": "tdata", "wave": res_w, "data": res_d}],
            ["tokens",
             {"name": "tvalid", "wave": wave_bits(col("m_axis_tokens_tvalid"))},
             {"name": "tready", "wave": wave_bits(col("m_axis_tokens_tready"))},
             {"name": "tdata", "wave": tok_w, "data": tok_d},
             {"name": "tlast", "wave": wave_bits(col("m_axis_tokens_tlast"))}],
        ],
        "head": {"text": f"One round, {r['config']} (B={B}, D={D}): γ={r['gamma']}, drafts {drafts}, n={n}",
                 "tock": 0},
        "foot": {"text": f"first logit handshake (cycle {first_beat}) to result handshake (cycle {result}): "
                         f"{measured} cycles; (n+1)·B + D = {(n + 1) * B + D}. Recorded from the Verilated RTL; "
                         f"logit beats row.beat, result n and token t (rollback {cyc[result]['result_rollback']})"},
        "config": {"hscale": 2},
    }
    return wavedrom.render(json.dumps(src)).tostring()


def layout_svg(model, stream):
    s = next(x for x in model["streams"] if x["name"] == stream)
    fields, pos = [], 0
    for f in sorted(s["fields"], key=lambda f: f["lsb"]):
        if f["lsb"] > pos:
            fields.append({"bits": f["lsb"] - pos})
        fields.append({"bits": f["bits"], "name": f["name"]})
        pos = f["lsb"] + f["bits"]
    if pos < s["bits"]:
        fields.append({"bits": s["bits"] - pos, "name": "0"})
    src = {"reg": fields, "options": {"bits": s["bits"], "lanes": 1, "hspace": max(640, 100 * s["bits"]),
                                      "fontsize": 12}}
    return wavedrom.render(json.dumps(src)).tostring()


def bits(n):
    return f"{n} bit" + ("s" if n != 1 else "")


KIND_STYLE = {"port_in": "#dbeafe", "port_out": "#dcfce7", "register": "#fef3c7", "memory": "#fde2e2",
              "instance": "#ede9fe"}


def pipeline_svg(unit):
    top = unit["modules"][0]
    children = {m["module"]: m for m in unit["modules"][1:]}
    nodes = {n["name"]: n for n in top["nodes"]}
    order = [n["name"] for n in top["nodes"]]
    succ = collections.defaultdict(list)
    for e in top["edges"]:
        succ[e["from"]].append(e["to"])
    # Layers: longest path from the inputs over the edges that a depth-first walk does not see as loops.
    state, back = {}, set()

    def dfs(u):
        state[u] = 1
        for v in succ[u]:
            if state.get(v) == 1:
                back.add((u, v))
            elif v not in state:
                dfs(v)
        state[u] = 2

    sys.setrecursionlimit(10000)
    for u in order:
        if nodes[u]["kind"] == "port_in" and u not in state:
            dfs(u)
    for u in order:
        if u not in state:
            dfs(u)
    layer = {u: 0 for u in order}
    for _ in order:
        for e in top["edges"]:
            u, v = e["from"], e["to"]
            if (u, v) not in back and layer[v] < layer[u] + 1:
                layer[v] = layer[u] + 1
    last = max(layer.values()) + 1
    for u in order:
        if nodes[u]["kind"] == "port_out":
            layer[u] = last
        if nodes[u]["kind"] == "port_in":
            layer[u] = 0
    columns = collections.defaultdict(list)
    for u in order:
        columns[layer[u]].append(u)
    preds = collections.defaultdict(list)
    for e in top["edges"]:
        preds[e["to"]].append(e["from"])
    row = {}
    for c in sorted(columns):  # barycentre of the predecessors already placed
        def key(u):
            p = [row[x] for x in preds[u] if x in row]
            return sum(p) / len(p) if p else order.index(u) / len(order) * 10
        columns[c].sort(key=key)
        for i, u in enumerate(columns[c]):
            row[u] = i

    W, H, GX, GY, PAD = 170, 50, 46, 14, 20
    height = max(len(v) for v in columns.values()) * (H + GY) + 2 * PAD + 40
    width = (last + 1) * (W + GX) + 2 * PAD
    xy = {u: (PAD + layer[u] * (W + GX), PAD + 40 + row[u] * (H + GY)) for u in order}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           '<defs><marker id="a" markerWidth="8" markerHeight="6" refX="8" refY="3" orient="auto">'
           '<path d="M0,0 L8,3 L0,6 z" fill="#555"/></marker></defs>',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{PAD}" y="{PAD + 8}" font-size="14" font-weight="bold">{html.escape(unit["unit"])} unit: '
           f'{html.escape(top["module"])} ({html.escape(unit["config"])})</text>',
           f'<text x="{PAD}" y="{PAD + 26}" fill="#444">ports (blue/green), register groups (yellow), instances '
           f'(violet); arrows: feeds through combinational logic; dashed: feedback. Drawn from the elaborated '
           f'module structure.</text>']
    for e in top["edges"]:
        u, v = e["from"], e["to"]
        (x1, y1), (x2, y2) = xy[u], xy[v]
        a, b = (x1 + W, y1 + H / 2), (x2, y2 + H / 2)
        dash = ' stroke-dasharray="4,3"' if (u, v) in back or layer[v] <= layer[u] else ""
        if dash:
            a, b = (x1 + W / 2, y1 + H), (x2 + W / 2, y2 + H)
            d = f"M{a[0]},{a[1]} C{a[0]},{a[1] + 40} {b[0]},{b[1] + 40} {b[0]},{b[1]}"
        else:
            mx = (a[0] + b[0]) / 2
            d = f"M{a[0]},{a[1]} C{mx},{a[1]} {mx},{b[1]} {b[0]},{b[1]}"
        out.append(f'<path d="{d}" fill="none" stroke="#888" stroke-width="1"{dash} marker-end="url(#a)"/>')
    for u in order:
        n = nodes[u]
        x, y = xy[u]
        name = u.split(":", 1)[1]
        if n["kind"] == "register":
            sub = f"{n['count']} reg{'s' if n['count'] > 1 else ''}, {bits(n['bits'])}"
        elif n["kind"] == "instance":
            child = children.get(n["module"], {"nodes": []})
            groups = [m["name"].split(":", 1)[1] for m in child["nodes"] if m["kind"] in ("register", "instance")]
            kind = n["module"]
            kind = kind[len(top["module"]) + 1:] if kind.startswith(top["module"] + "_") else kind
            kind = re.sub(r"(_[a-z]+\d\w*)+$", "", kind.removeprefix("hades_"))
            times = f"{n['count']}× " if n["count"] > 1 else ""
            sub = f"{times}{kind}: {', '.join(groups)}"[:36]
            sub2 = f"{n['bits']} state bits"
        elif n["kind"] == "memory":
            sub = f"memory, {bits(n['bits'])}"
        else:
            sub = f"{n['count']} signal{'s' if n['count'] > 1 else ''}, {bits(n['bits'])}"
        if n["kind"] != "instance":
            sub2 = ""
        out.append(f'<g><title>{html.escape(u)}</title><rect x="{x}" y="{y}" width="{W}" height="{H}" rx="5" '
                   f'fill="{KIND_STYLE[n["kind"]]}" stroke="#555"/>'
                   f'<text x="{x + 6}" y="{y + 18}" font-weight="bold">{html.escape(name[:30])}</text>'
                   f'<text x="{x + 6}" y="{y + 32}" fill="#333">{html.escape(sub)}</text>'
                   f'<text x="{x + 6}" y="{y + 43}" fill="#333">{html.escape(sub2)}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    model_path = sys.argv[1] if len(sys.argv) > 1 else "docs/diagrams/model.json"
    outdir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(model_path)
    raw = open(model_path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    model = json.loads(raw)
    # Everything is drawn before anything is written: no partial output.
    svgs = {"round.svg": round_svg(model),
            "command_layout.svg": layout_svg(model, "s_axis_cmd_tdata"),
            "result_layout.svg": layout_svg(model, "m_axis_result_tdata")}
    for unit in model["units"]:
        svgs[f"{unit['unit']}_pipeline.svg"] = pipeline_svg(unit)
    for name, svg in svgs.items():
        with open(os.path.join(outdir, name), "w") as f:
            f.write(stamp(svg, digest))
        print(f"wrote {os.path.join(outdir, name)}")


if __name__ == "__main__":
    main()
