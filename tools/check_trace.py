#!/usr/bin/env python3
"""Check a HADES trace file (docs/spec.md "Trace files"): print shapes/dtypes, recompute the float64 reference
decision of every round from the logits actually stored, and compare with the stored `accepted`/`next_token`.

Reference rules (docs/spec.md), as implemented here and used by make_traces.py:
- greedy: a_i = argmax of target row i (ties -> lowest index; NaN counts as -inf; no finite maximum -> 0);
  n = leading i < γ with x_i == a_i; next token a_n.
- sampling: t_i, d_i = softmax in float64 of the stored rows; u_i = U_i / 2^32;
  accept x_i iff u_i·d_i(x_i) < t_i(x_i); stop at the first rejection n.
  Final token from r = max(0, t_n − d_n) (rejected) or r = t_γ (all accepted), using u_γ (the uniform at index γ
  of the round): the smallest k with cumsum(r)_k > u_γ·S, S = Σr (taken as the last element of the cumulative
  sum, so such a k always exists). S == 0 -> sample t_n instead (flag residual_zero).

Usage: python3 tools/check_trace.py FILE [FILE ...]      exit status 1 on any mismatch
"""
from __future__ import annotations

import sys

import numpy as np

TWO32 = float(2 ** 32)


def _clean(row) -> np.ndarray:
    x = np.asarray(row).astype(np.float64)
    return np.where(np.isnan(x), -np.inf, x)


def argmax_row(row) -> int:
    x = _clean(row)
    m = x.max()
    if not np.isfinite(m) and m != np.inf:
        return 0  # degenerate row (all -inf)
    return int(np.argmax(x))  # first index of the maximum


def softmax64(row) -> np.ndarray:
    x = _clean(row)
    m = x.max()
    if m == np.inf:  # +inf entries share the mass
        e = (x == np.inf).astype(np.float64)
    elif m == -np.inf:
        e = np.zeros_like(x)
        e[0] = 1.0
    else:
        e = np.exp(x - m)
    return e / e.sum()


def greedy_decide(target_rows, draft_tokens, gamma: int) -> tuple[int, int]:
    V = target_rows.shape[-1]
    n = 0
    while n < gamma:
        x = int(draft_tokens[n])
        if x >= V or x != argmax_row(target_rows[n]):
            break
        n += 1
    return n, argmax_row(target_rows[n])


def _inverse_cdf(r: np.ndarray, u: float) -> int | None:
    c = np.cumsum(r)
    S = c[-1]
    if not S > 0:
        return None
    return int(np.searchsorted(c, u * S, side="right"))  # smallest k with c[k] > u*S


def sampling_decide(target_rows, draft_rows, draft_tokens, uniforms, gamma: int) -> tuple[int, int, list[str]]:
    V = target_rows.shape[-1]
    u = np.asarray(uniforms[: gamma + 1], dtype=np.uint32).astype(np.float64) / TWO32
    flags = []
    n = gamma
    for i in range(gamma):
        x = int(draft_tokens[i])
        if x >= V:
            flags.append("bad_draft")
            n = i
            break
        t = softmax64(target_rows[i])
        d = softmax64(draft_rows[i])
        if not (u[i] * d[x] < t[x]):
            n = i
            break
    t = softmax64(target_rows[n])
    r = np.maximum(0.0, t - softmax64(draft_rows[n])) if n < gamma else t
    k = _inverse_cdf(r, u[gamma])
    if k is None:
        flags.append("residual_zero")
        k = _inverse_cdf(t, u[gamma])
    return n, min(k, V - 1), flags


def tree_decide(target_rows, draft_tokens, parents, nodes: int) -> tuple[list[int], int]:
    """DESIGN.md "Token trees", greedy: from the root, the first child (node order) whose token is the current
    row's argmax; a malformed node (parent ≥ own index) or a token ≥ V never matches. (path, final token)."""
    V = target_rows.shape[-1]
    path, c = [], -1
    while True:
        a = argmax_row(target_rows[c + 1])
        nxt = next((i for i in range(nodes) if int(parents[i]) == c and int(parents[i]) < i
                    and int(draft_tokens[i]) < V and int(draft_tokens[i]) == a), None)
        if nxt is None:
            return path, a
        path.append(nxt)
        c = nxt


def decide(f, r: int) -> tuple[int, int]:
    g = int(f["gamma"][r])
    if "parents" in f:
        path, k = tree_decide(f["target_logits"][r], f["draft_tokens"][r], f["parents"][r], g)
        return len(path), k
    if "draft_logits" in f:
        n, k, _ = sampling_decide(f["target_logits"][r], f["draft_logits"][r], f["draft_tokens"][r], f["uniforms"][r], g)
    else:
        n, k = greedy_decide(f["target_logits"][r], f["draft_tokens"][r], g)
    return n, k


def margin_info(f, r: int, n: int) -> str:
    """How close the round's decisions were to a boundary (for the report)."""
    g = int(f["gamma"][r])
    tl = f["target_logits"][r]
    if "parents" in f:
        return "tree trace (rule: tools/check_trace.py tree_decide)"
    if "draft_logits" not in f:
        row = _clean(tl[n])
        top2 = np.sort(row)[-2:]
        return f"top1-top2 gap {top2[1] - top2[0]:.4g}"
    u = np.asarray(f["uniforms"][r], np.float64) / TWO32
    parts = []
    for i in range(min(n + 1, g)):
        x = int(f["draft_tokens"][r][i])
        t = softmax64(tl[i])[x]
        d = softmax64(f["draft_logits"][r][i])[x]
        parts.append(f"u={u[i]:.3f} t/d={t / d:.3f}")
    return "; ".join(parts)


def check(path: str, verbose: bool = True) -> bool:
    f = dict(np.load(path, allow_pickle=False))
    ok = True
    print(f"== {path}")
    for k, v in f.items():
        extra = ""
        if v.dtype == np.uint8 and k in ("model", "prompt_text", "draft", "mode", "answer_text"):
            extra = " = " + repr(bytes(v).decode("utf-8")[:100])
        elif v.size <= 8:
            extra = f" = {v.tolist()}"
        print(f"  {k:16s} {str(v.dtype):8s} {list(v.shape)}{extra}")
    tl, dt, gm = f["target_logits"], f["draft_tokens"], f["gamma"]
    R, G1, V = tl.shape
    G = G1 - 1
    req = [tl.dtype in (np.float16, np.float32), dt.dtype in (np.int32, np.int64), gm.dtype in (np.int32, np.int64),
           dt.shape == (R, G), gm.shape == (R,), bool(np.all(gm <= G)) and bool(np.all(gm >= 0))]
    sampling = "draft_logits" in f
    if sampling:
        req += [f["draft_logits"].shape == (R, G, V), f["draft_logits"].dtype in (np.float16, np.float32),
                f["uniforms"].shape == (R, G + 1), f["uniforms"].dtype == np.uint32]
    if not all(req):
        print(f"  FORMAT ERROR: {req}")
        ok = False
    nan = int(np.isnan(tl).sum()) + (int(np.isnan(f["draft_logits"]).sum()) if sampling else 0)
    inf = int(np.isinf(tl).sum())
    print(f"  R={R} G={G} V={V} mode={'sampling' if sampling else 'greedy'}; NaN {nan}, inf {inf}; "
          f"target logits in [{float(np.nanmin(tl)):.2f}, {float(np.nanmax(tl)):.2f}]")
    tot_n = tot_g = 0
    for r in range(R):
        n, k = decide(f, r)
        g = int(gm[r])
        tot_n += n
        tot_g += g
        line = f"  round {r}: gamma {g} accepted {n} next {k}"
        if "accepted" in f:
            same = int(f["accepted"][r]) == n and int(f["next_token"][r]) == k
            ok &= same
            line += "  OK" if same else f"  MISMATCH (stored accepted {int(f['accepted'][r])} next {int(f['next_token'][r])})"
        if verbose:
            print(line + "   [" + margin_info(f, r, n) + "]")
    print(f"  accepted {tot_n}/{tot_g} draft tokens ({tot_n / max(tot_g, 1):.3f}); "
          f"{'all decisions match' if ok else 'DECISIONS DIFFER'}")
    return ok


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    ok = True
    for p in sys.argv[1:]:
        ok &= check(p)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
