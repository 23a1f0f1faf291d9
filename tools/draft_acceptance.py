#!/usr/bin/env python3
"""Greedy acceptance rate of early-exit drafts (plain vs linear exit) for several K and γ.

For greedy speculative decoding the output is the target's greedy sequence, and a draft token is accepted iff
the draft's argmax given the (correct) committed prefix equals the target's. The draft shares the target's first
K blocks, so one teacher-forced pass of the target over its own greedy answer gives, for every position, the
draft's argmax for every K and exit. Rounds are then replayed: from committed answer length c, n = number of
leading agreeing positions c, c+1, … (at most γ), and c advances by n+1. Acceptance = Σn / Σγ over the rounds
that lie inside the answer. (`make_traces.py --check-sim` runs the real draft/target loop for one config to
confirm this replay.) Also printed: mean Σ_x min(t(x), d(x)) at temperature 0.9, the per-token acceptance
probability of the sampling rule.

Evaluation prompts are disjoint from the linear-exit fit prompts (smollm2.FIT_PROMPTS).
Usage: python3 tools/draft_acceptance.py [--K 4 8 12 16 20] [--gamma 4 8]   (~2-4 min the first time)
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
from smollm2 import CACHE, N_LAYERS, SmolLM2, generate  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402

EVAL_PROMPTS = [
    "What is the capital of France? Tell me a little about the city.",
    "How does a refrigerator keep food cold?",
    "Write a short email inviting a colleague to lunch.",
    "What are the main causes of climate change?",
    "Explain the rules of chess briefly.",
    "Give me a simple recipe for pancakes.",
]
EVAL_MAX_NEW = 192


def eval_sequences(model, tok):
    p = os.path.join(CACHE, "eval_tokens.npz")
    if os.path.exists(p):
        d = np.load(p)
        return [(d[f"p{i}"], d[f"a{i}"]) for i in range(len(EVAL_PROMPTS))]
    out = []
    for i, q in enumerate(EVAL_PROMPTS):
        ids = tok.encode_chat(q)
        ans = generate(model, ids, EVAL_MAX_NEW)
        out.append((np.array(ids, np.int32), np.array(ans, np.int32)))
        print(f"[eval] greedy answer {i + 1}/{len(EVAL_PROMPTS)}: {len(ans)} tokens", file=sys.stderr)
    np.savez(p, **{f"p{i}": a for i, (a, _) in enumerate(out)}, **{f"a{i}": b for i, (_, b) in enumerate(out)})
    return out


def softmax64(z):
    z = z.astype(np.float64)
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def replay(agree: np.ndarray, gamma: int) -> tuple[int, int, int]:
    """agree[c]: draft's argmax == answer token c given answer[:c]. Returns (Σn, rounds, full-accept rounds)."""
    N = len(agree)
    c = 0
    tot = rounds = full = 0
    while c + gamma < N:
        n = 0
        while n < gamma and agree[c + n]:
            n += 1
        tot += n
        rounds += 1
        full += n == gamma
        c += n + 1
    return tot, rounds, full


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--K", type=int, nargs="+", default=[4, 8, 12, 16, 20])
    ap.add_argument("--gamma", type=int, nargs="+", default=[4, 8])
    ap.add_argument("--temperature", type=float, default=0.9)
    args = ap.parse_args()
    t0 = time.time()
    model = SmolLM2()
    tok = Tokenizer()
    seqs = eval_sequences(model, tok)
    T = np.float32(args.temperature)
    res = {(K, e): {"agree": [], "beta": []} for K in args.K for e in ("plain", "linear")}
    for pr, ans in seqs:
        full = np.concatenate([pr, ans])
        cache = model.new_cache(N_LAYERS, len(full) + 1)
        x, outs = model.hidden(full, cache, N_LAYERS, collect=True)
        sl = slice(len(pr) - 1, len(full) - 1)  # hidden state of the token before each answer token
        tl = model.head(x[sl])
        tgt = np.argmax(tl, -1)
        if not np.array_equal(tgt, ans):
            print(f"[warn] teacher-forced target argmax differs from greedy answer at "
                  f"{int((tgt != ans).sum())} positions", file=sys.stderr)
        tp = softmax64(tl / T)
        for K in args.K:
            for e in ("plain", "linear"):
                h = outs[K - 1][sl]
                if e == "linear":
                    A, b = model.linear_exit(K)
                    h = h @ A + b
                dl = model.head(h)
                res[(K, e)]["agree"].append(np.argmax(dl, -1) == ans)
                res[(K, e)]["beta"].append(np.minimum(tp, softmax64(dl / T)).sum(-1))
    print(f"\nGreedy acceptance (Σ accepted / Σ drafted) over {len(seqs)} held-out prompts, "
          f"{sum(len(a) for _, a in seqs)} answer tokens\n")
    hdr = "| K | exit | top-1 agree | " + " | ".join(f"γ={g} accept (full rounds)" for g in args.gamma) + \
          f" | E[Σmin(t,d)] T={args.temperature} |"
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for K in args.K:
        for e in ("plain", "linear"):
            r = res[(K, e)]
            ag = np.concatenate(r["agree"])
            cells = []
            for g in args.gamma:
                tot = rounds = full = 0
                for a in r["agree"]:
                    x = replay(a, g)
                    tot += x[0]; rounds += x[1]; full += x[2]
                cells.append(f"{tot / (g * rounds):.3f} ({full}/{rounds})")
            print(f"| {K} | {e} | {ag.mean():.3f} | " + " | ".join(cells) + f" | {np.concatenate(r['beta']).mean():.3f} |")
    print(f"\n[{time.time() - t0:.0f}s]", file=sys.stderr)


if __name__ == "__main__":
    main()
