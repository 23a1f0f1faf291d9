#!/usr/bin/env python3
"""A small greedy trace cut from a real one: the first R rounds over a V-token subset of the vocabulary.

The subset holds every draft token and every row's argmax of those rounds (so each round's decision is the same
one, on renumbered tokens), filled up with the lowest remaining token ids; tokens are renumbered in id order.
The logits are the real ones of the kept tokens. For tests that need a real trace at a small V.

Usage: subset_trace.py SOURCE.npz DEST.npz --vocab V [--rounds R]
"""
import argparse
import sys

import numpy as np


def subset(src, dst, vocab, rounds=None):
    d = np.load(src)
    logits, drafts, gammas = d["target_logits"], d["draft_tokens"], d["gamma"]
    R = len(gammas) if rounds is None else min(rounds, len(gammas))
    keep = set()
    for r in range(R):
        g = int(gammas[r])
        keep.update(int(t) for t in drafts[r, :g])
        keep.update(int(np.argmax(logits[r, i])) for i in range(g + 1))
    if len(keep) > vocab:
        raise ValueError(f"{src}: the first {R} rounds need {len(keep)} tokens, more than V = {vocab}")
    fill = (t for t in range(logits.shape[2]) if t not in keep)
    while len(keep) < vocab:
        keep.add(next(fill))
    ids = np.array(sorted(keep))
    new = {int(t): i for i, t in enumerate(ids)}
    acc, nxt = [], []
    for r in range(R):
        g, n = int(gammas[r]), 0
        while n < g and int(np.argmax(logits[r, n])) == int(drafts[r, n]):
            n += 1
        acc.append(n)
        nxt.append(new[int(np.argmax(logits[r, n]))])
    out_drafts = np.vectorize(lambda t: new.get(int(t), 0))(drafts[:R]).astype(np.int32)
    np.savez_compressed(dst, target_logits=logits[:R][:, :, ids], draft_tokens=out_drafts,
                        gamma=gammas[:R].astype(np.int32), accepted=np.array(acc, np.int32),
                        next_token=np.array(nxt, np.int32))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("dest")
    ap.add_argument("--vocab", type=int, required=True)
    ap.add_argument("--rounds", type=int)
    a = ap.parse_args()
    try:
        subset(a.source, a.dest, a.vocab, a.rounds)
    except (OSError, KeyError, ValueError) as e:
        print(f"subset_trace: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
