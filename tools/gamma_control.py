"""Prompt lookup and the adaptive γ controller (`--gamma auto`) of tools/generate.py.

The controller picks each round's γ to maximise expected tokens per unit of round cost:
  E(γ) = (1 − α^(γ+1)) / (1 − α)  tokens (n accepted + 1), geometric acceptance with rate α,
  cost(γ) = c(γ+1) target rows scored in one pass (+ γ·c_draft for the early-exit drafter),
and γ = 0 (a plain round) whenever nothing beats it. α is estimated per context class (prompt lookup: the match
length 3 or 2; early exit: one class) from decayed counts of accepted / tested draft positions, so it follows
the text: a copied passage raises it within a round or two, free text drops it. Counts decay towards an
optimistic prior on every round of a class, so a class that fell to γ = 0 is probed again later.
"""
from __future__ import annotations

import numpy as np

# Relative wall time of scoring T rows in one numpy float32 pass of SmolLM2-135M against one row (one BLAS
# thread; OpenBLAS switches to matrix-matrix products at T = 2), as measured on this kind of 2-core machine
# (/work/shared/NOTES.md "Decoding speed"; 17 extrapolated); interpolated linearly between the points.
ROW_COST = {1: 1.0, 2: 2.2, 4: 2.1, 8: 2.5, 16: 3.4, 17: 3.5}
CANDIDATES = (0, 1, 2, 3, 4, 6, 8, 12, 16)


def row_cost(T: int) -> float:
    ks = sorted(ROW_COST)
    return float(np.interp(T, ks, [ROW_COST[k] for k in ks]))


def lookup(seq, gamma: int, lengths=(3, 2)) -> tuple[list[int], int]:
    """Prompt lookup: the tokens (at most γ) that followed the latest earlier occurrence of the last m tokens of
    `seq` (m = 3, else 2). Returns (proposal, m); ([], 0) when nothing matches."""
    a = np.asarray(seq, dtype=np.int64)
    L = len(a)
    for m in lengths:
        if L <= m:
            continue
        j = np.arange(L - m)  # occurrences starting at j, ending before the last token, so a continuation exists
        hit = np.ones(len(j), bool)
        for k in range(m):
            hit &= a[j + k] == a[L - m + k]
        idx = np.flatnonzero(hit)
        if len(idx):
            s = int(idx[-1]) + m
            return [int(t) for t in a[s:s + gamma]], m
    return [], 0


def expected_tokens(alpha: float, gamma: int) -> float:
    if alpha >= 1.0:
        return gamma + 1.0
    return (1.0 - alpha ** (gamma + 1)) / (1.0 - alpha)


class GammaController:
    def __init__(self, drafter: str = "lookup", decay: float = 0.6, prior=(2.1, 0.9), draft_cost: float = 28 / 30):
        self.drafter = drafter
        self.decay = decay
        self.prior = prior
        self.draft_cost = draft_cost if drafter == "early-exit" else 0.0
        self.counts: dict[int, list[float]] = {}

    def alpha(self, cls: int) -> float:
        a, t = self.counts.get(cls, (0.0, 0.0))
        return (a + self.prior[0]) / (t + self.prior[0] + self.prior[1])

    def best(self, alpha: float, limit: int) -> int:
        best_g, best_rate = 0, 1.0 / row_cost(1)
        for g in CANDIDATES:
            if 0 < g <= limit:
                rate = expected_tokens(alpha, g) / (row_cost(g + 1) + g * self.draft_cost)
                if rate > best_rate:
                    best_g, best_rate = g, rate
        return best_g

    def gamma(self, seq) -> int:
        if self.drafter == "lookup":
            prop, m = lookup(seq, 16)
            self._cls = m
            if not prop:
                return 0
            return self.best(self.alpha(m), len(prop))
        self._cls = 0
        return self.best(self.alpha(0), 16)

    def update(self, gamma: int, accepted: int, match: int) -> None:
        cls = self._cls
        c = self.counts.setdefault(cls, [0.0, 0.0])
        c[0] *= self.decay
        c[1] *= self.decay
        if gamma > 0:
            c[0] += accepted
            c[1] += accepted + (1 if accepted < gamma else 0)
