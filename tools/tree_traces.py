#!/usr/bin/env python3
"""Real token-tree rounds of SmolLM2-135M-Instruct (DESIGN.md "Token trees"), and chain-vs-tree acceptance.

Drafter: prompt lookup that keeps several earlier matches as sibling branches. The last k tokens of the sequence
(k = 3, 2 and 1) are looked up in the whole sequence (prompt + answer so far); every match proposes the N tokens
that followed it. The proposals are merged into a trie (longer matches first, the most recent first within a
length, so among siblings the best proposal comes first in node order). Each proposal votes 9, 3 or 1 (k = 3, 2,
1) for the nodes on its path; the N nodes kept are the best voted (key: −votes, depth, creation order); a child
never has more votes than its parent, so the kept set is a subtree, listed in creation order (parents first).
The chain baseline at the same number of target rows is standard prompt lookup: the N tokens that followed the
longest, most recent match (a tree with p_i = i − 1).

Target: one pass over root + N nodes with a tree attention mask (node i sees the committed prefix, the root and
its ancestors; rope position = prefix length + depth), its K/V written to N+1 consecutive cache slots. After the
greedy tree walk (first child in node order whose token equals the current row's argmax) the cache is compacted
exactly as the hardware's path output tells an accelerator to: slot p0+1+k <- slot p0+1+path[k], length p0+1+n.
Greedy verification is lossless, so chain and tree decode the same text; only the number of rounds differs.

Usage:
  python3 tools/tree_traces.py --measure                      # mean accepted per round, chain vs tree
  python3 tools/tree_traces.py --out Tests/Fixtures           # writes tree_n8.npz (a few rounds)
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from check_trace import tree_decide  # noqa: E402
from smollm2 import D_MODEL, HEAD_DIM, MODEL_NAME, N_HEAD, N_KV, N_LAYERS, SmolLM2, rms_norm  # noqa: E402
from tokenizer import EOS_ID, Tokenizer  # noqa: E402

F32 = np.float32
PROMPTS = [
    "Copy this list exactly, then write it again in reverse order: red apple, green pear, yellow banana, "
    "purple grape, orange orange, red cherry, green lime.",
    "Here is a Python function:\n\ndef total(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return s\n\n"
    "Rewrite it with the variable s renamed to result, and show the full function.",
    "Repeat the following sentence three times, each time on a new line: The quick brown fox jumps over the "
    "lazy dog near the river bank.",
    "Write the numbers from 1 to 30 separated by commas.",
]
MAX_NEW = 120
DRAFTERS = {"lookup": "prompt lookup, several matches as siblings",
            "eagle": "first 28 of 30 blocks (plain exit), best-first top-3 tree"}
WEIGHT = {3: 9, 2: 3, 1: 1}  # a proposal's vote by match length
DRAFT_K = 28  # early-exit draft: the first 28 of 30 blocks, plain exit
TOPK = 3


# ------------------------------------------------------------------------------------------- drafter
def lookup_matches(seq: list[int], n: int, max_k: int = 3) -> list[tuple[int, list[int]]]:
    """(k, continuation of up to n tokens) for every earlier occurrence of the sequence's last k tokens,
    k = max_k … 1: longer matches first, the most recent first within each k."""
    L = len(seq)
    out = []
    for k in range(max_k, 0, -1):
        if L <= k:
            continue
        suffix = seq[L - k:]
        for j in range(L - k - 1, -1, -1):  # match seq[j:j+k], continuation starts at j+k < L
            if seq[j:j + k] == suffix:
                cont = seq[j + k:j + k + n]
                if cont:
                    out.append((k, cont))
    return out


def chain_draft(seq: list[int], n: int) -> tuple[list[int], list[int]]:
    m = lookup_matches(seq, n)
    if not m:
        return [], []
    toks = m[0][1][:n]
    return toks, [i - 1 for i in range(len(toks))]


def tree_draft(seq: list[int], n: int) -> tuple[list[int], list[int]]:
    """Merge every match's continuation into a trie and keep the n best-supported nodes (see the docstring)."""
    nodes: list[list] = []  # [token, parent, depth, support]
    children: dict[tuple[int, int], int] = {}
    for k, cont in lookup_matches(seq, n):
        parent = -1
        for depth, tok in enumerate(cont):
            key = (parent, tok)
            if key not in children:
                children[key] = len(nodes)
                nodes.append([tok, parent, depth, 0])
            idx = children[key]
            nodes[idx][3] += WEIGHT[k]
            parent = idx
    keep = sorted(range(len(nodes)), key=lambda i: (-nodes[i][3], nodes[i][2], i))[:n]
    keep.sort()
    remap = {old: new for new, old in enumerate(keep)}
    toks = [nodes[i][0] for i in keep]
    parents = [-1 if nodes[i][1] < 0 else remap[nodes[i][1]] for i in keep]
    assert all(p < i for i, p in enumerate(parents))
    return toks, parents


# ------------------------------------------------------------------------------------------- target
def tree_forward(m: SmolLM2, toks: list[int], parents: list[int], cache, n_layers: int = N_LAYERS) -> np.ndarray:
    """Logits [T, V] of root + nodes (tree index t = node + 1, root t = 0) appended at cache.length, through the
    first n_layers blocks (fewer: the plain early-exit draft, which shares the target's cache for those blocks)."""
    T = len(toks)
    p0 = cache.length
    tpar = [-1] + [p + 1 for p in parents]  # parent by tree index (-1 for the root)
    depth = [0] * T
    vis = np.zeros((T, T), bool)
    for t in range(T):
        if t > 0:
            depth[t] = depth[tpar[t]] + 1
            vis[t] = vis[tpar[t]]
        vis[t, t] = True
    positions = p0 + np.array(depth)
    S = p0 + T
    mask = np.zeros((T, S), bool)
    mask[:, p0:] = ~vis  # True = hidden
    x = m.embd[np.asarray(toks, np.int64)]
    w = m.w
    g = N_HEAD // N_KV
    for i in range(n_layers):
        pre = f"blk.{i}."
        h = rms_norm(x, w[pre + "attn_norm"])
        q = m.rope((h @ w[pre + "attn_q"]).reshape(T, N_HEAD, HEAD_DIM), positions)
        k = m.rope((h @ w[pre + "attn_k"]).reshape(T, N_KV, HEAD_DIM), positions)
        v = (h @ w[pre + "attn_v"]).reshape(T, N_KV, HEAD_DIM)
        cache.k[i, :, p0:S] = k.transpose(1, 0, 2)
        cache.v[i, :, p0:S] = v.transpose(1, 0, 2)
        qg = q.transpose(1, 0, 2).reshape(N_KV, g * T, HEAD_DIM)
        sc = (np.matmul(qg, cache.k[i, :, :S].transpose(0, 2, 1)) * m.scale).reshape(N_KV, g, T, S)
        sc = np.where(mask, F32(-np.inf), sc)
        sc = sc - sc.max(axis=-1, keepdims=True)
        e = np.exp(sc)
        pr = e / e.sum(axis=-1, keepdims=True)
        o = np.matmul(pr.reshape(N_KV, g * T, S), cache.v[i, :, :S])
        x = x + o.reshape(N_HEAD, T, HEAD_DIM).transpose(1, 0, 2).reshape(T, D_MODEL) @ w[pre + "attn_output"]
        h = rms_norm(x, w[pre + "ffn_norm"])
        gt = h @ w[pre + "ffn_gate"]
        x = x + (gt / (F32(1.0) + np.exp(-gt)) * (h @ w[pre + "ffn_up"])) @ w[pre + "ffn_down"]
    cache.length = S
    return m.head(x)


def draft_rows(m: SmolLM2, seq: list[int], toks, parents, cache) -> np.ndarray:
    """Draft log-probabilities of root + nodes: the first DRAFT_K blocks, plain exit, on the target's own cache
    (self-speculative: the committed prefix's K/V of those blocks is the target's); the cache is left as it was."""
    p0 = cache.length
    logits = tree_forward(m, [seq[-1]] + toks, parents, cache, DRAFT_K).astype(np.float64)
    cache.length = p0
    logits -= logits.max(axis=-1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))


def draft_tree(m: SmolLM2, seq: list[int], n: int, cache, chain: bool) -> tuple[list[int], list[int]]:
    """Best-first expansion (EAGLE-2 style): the candidate with the highest draft path probability becomes the next
    node (so nodes are in topological order and siblings in order of probability); its top-TOPK children become
    candidates. chain=True expands only the newest node's top-1 (plain self-speculative drafting of n tokens)."""
    toks, parents = [], []
    cand = []  # (log path probability, parent, token)
    lp = draft_rows(m, seq, toks, parents, cache)[0]
    for t in np.argsort(-lp, kind="stable")[:1 if chain else TOPK]:
        cand.append((lp[t], -1, int(t)))
    while len(toks) < n and cand:
        cand.sort(key=lambda c: -c[0])
        score, parent, t = cand.pop(0)
        toks.append(t)
        parents.append(parent)
        if chain:
            cand = []
        if len(toks) == n:
            break
        lp = draft_rows(m, seq, toks, parents, cache)[len(toks)]
        for c in np.argsort(-lp, kind="stable")[:1 if chain else TOPK]:
            cand.append((score + lp[c], len(toks) - 1, int(c)))
    return toks, parents


def compact(cache, p0: int, path: list[int]) -> None:
    """Keep the root's slot and the accepted nodes' slots, in path order (the hardware's path stream)."""
    for k, node in enumerate(path):
        src, dst = p0 + 1 + node, p0 + 1 + k
        if src != dst:
            cache.k[:, :, dst] = cache.k[:, :, src]
            cache.v[:, :, dst] = cache.v[:, :, src]
    cache.length = p0 + 1 + len(path)


def decode(m: SmolLM2, prompt: list[int], n: int, tree: bool, drafter: str, max_new: int = MAX_NEW, keep: bool = False):
    seq = list(prompt)
    cache = m.new_cache(N_LAYERS, len(prompt) + max_new + n + 8)
    m.hidden(seq[:-1], cache)
    rounds = []
    while len(seq) - len(prompt) < max_new:
        if drafter == "lookup":
            toks, parents = (tree_draft if tree else chain_draft)(seq, n)
        else:
            toks, parents = draft_tree(m, seq, n, cache, chain=not tree)
        p0 = cache.length
        logits = tree_forward(m, [seq[-1]] + toks, parents, cache)
        rows = logits.astype(np.float16)
        path, last = tree_decide(rows, toks, parents, len(toks))
        compact(cache, p0, path)
        emitted = [toks[i] for i in path] + [last]
        rec = dict(nodes=len(toks), tokens=toks, parents=parents, path=path, accepted=len(path), next_token=last,
                   committed_before=len(seq) - len(prompt))
        if keep:
            rec["rows"] = rows
        rounds.append(rec)
        if EOS_ID in emitted:
            seq += emitted[:emitted.index(EOS_ID) + 1]
            break
        seq += emitted
    return seq[len(prompt):], rounds


def measure(m: SmolLM2, tok: Tokenizer, sizes, drafter: str) -> None:
    print("| drafter | N (target rows N+1) | prompt | rounds chain | rounds tree | mean accepted chain | mean accepted tree |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        tot = {False: [0, 0], True: [0, 0]}
        for pi, q in enumerate(PROMPTS):
            p = tok.encode_chat(q)
            out = {}
            for tree in (False, True):
                text, rs = decode(m, p, n, tree, drafter)
                out[tree] = text
                tot[tree][0] += sum(r["accepted"] for r in rs)
                tot[tree][1] += len(rs)
                print(f"  [N={n} prompt {pi} {'tree' if tree else 'chain'}] rounds {len(rs)}, accepted "
                      f"{sum(r['accepted'] for r in rs)}", file=sys.stderr, flush=True)
            # Lossless in exact arithmetic; the float16 rows of differently shaped passes can flip near-ties.
            same = out[False] == out[True]
            print(f"  [N={n} prompt {pi}] same text: {same}", file=sys.stderr, flush=True)
        c, t = tot[False], tot[True]
        print(f"| {drafter} | {n} | all {len(PROMPTS)} | {c[1]} | {t[1]} | {c[0] / c[1]:.3f} | {t[0] / t[1]:.3f} |", flush=True)


def make_fixture(m: SmolLM2, tok: Tokenizer, out_dir: str, drafter: str, n: int = 8, R: int = 3, prompt_index: int = 1) -> str:
    """R consecutive tree rounds with the most interesting mix: a branching tree whose path leaves the first
    branch, a full-depth acceptance, a rejection at the root."""
    prompt = tok.encode_chat(PROMPTS[prompt_index])
    _, rs = decode(m, prompt, n, True, drafter, keep=True)

    def score(w):
        branchy = any(len(set(r["parents"])) < r["nodes"] for r in w)
        off_first = any(r["path"] and any(r["path"][k] != (r["path"][k - 1] + 1 if k else 0)
                                          for k in range(len(r["path"]))) for r in w)
        return 4 * off_first + 2 * branchy + any(r["accepted"] == 0 for r in w) + sum(r["accepted"] for r in w) / 100
    s = max(range(len(rs) - R + 1), key=lambda i: (score(rs[i:i + R]), -i))
    sel = rs[s:s + R]
    V = sel[0]["rows"].shape[-1]
    target = np.zeros((R, n + 1, V), np.float16)
    draft = np.zeros((R, n), np.int32)
    parents = np.full((R, n), -1, np.int32)
    path = np.full((R, n), -1, np.int32)
    for i, r in enumerate(sel):
        target[i, :r["nodes"] + 1] = r["rows"]
        draft[i, :r["nodes"]] = r["tokens"]
        parents[i, :r["nodes"]] = r["parents"]
        path[i, :r["accepted"]] = r["path"]
    arrays = dict(target_logits=target, draft_tokens=draft, parents=parents,
                  gamma=np.array([r["nodes"] for r in sel], np.int32),
                  accepted=np.array([r["accepted"] for r in sel], np.int32),
                  next_token=np.array([r["next_token"] for r in sel], np.int32),
                  reference_path=path, prompt_tokens=np.array(prompt, np.int32),
                  committed_before=np.array([r["committed_before"] for r in sel], np.int32),
                  model=np.frombuffer(MODEL_NAME.encode(), np.uint8).copy(),
                  draft=np.frombuffer(DRAFTERS[drafter].encode(), np.uint8).copy())
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, f"tree_n{n}.npz")
    np.savez_compressed(out, **arrays)
    print(f"wrote {out}: {os.path.getsize(out) / 1e6:.2f} MB, rounds {s}..{s + R - 1} of {len(rs)}, nodes "
          f"{[r['nodes'] for r in sel]}, parents {[r['parents'] for r in sel]}, paths {[r['path'] for r in sel]}",
          file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="directory for the fixture tree_n8.npz")
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--nodes", type=int, nargs="+", default=[8])
    ap.add_argument("--drafter", choices=sorted(DRAFTERS), default="eagle")
    args = ap.parse_args()
    t0 = time.time()
    m, tok = SmolLM2(), Tokenizer()
    if args.measure:
        measure(m, tok, args.nodes, args.drafter)
    if args.out:
        make_fixture(m, tok, args.out, args.drafter)
    print(f"{time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
