#!/usr/bin/env python3
"""Live speculative decoding of SmolLM2-135M-Instruct with the generated RTL deciding every round.

Each round: a drafter proposes γ tokens (prompt lookup, or the model's own first K blocks), the target scores
γ+1 rows in one pass, and the verifier decides (n accepted, next token). With --verifier rtl the rows stream
through the Verilated unit (`hades-sim --serve`, cross-checked against the golden model every round; a
disagreement stops generation with exit 1) and its result is what is committed; --verifier golden asks the
Swift golden model alone; --verifier numpy decides in-process (argmax / float64 Algorithm 1).

  python3 tools/generate.py --prompt-file tools/prompts/copy/rename.txt --max-new 64 --gamma auto
Text goes to stdout as it is generated, a progress line to stderr. --json writes the rounds.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import struct
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from smollm2 import N_LAYERS, VOCAB, SmolLM2  # noqa: E402
from tokenizer import EOS_ID, Tokenizer  # noqa: E402
from gamma_control import GammaController, lookup  # noqa: E402

GAMMA_MAX = 16
TWO32 = float(2 ** 32)


def softmax64(row) -> np.ndarray:
    z = np.asarray(row, np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


# --------------------------------------------------------------------------------------------- verifiers
def numpy_greedy(rows: np.ndarray, drafts: list[int]) -> tuple[int, int]:
    am = rows.argmax(axis=1)
    n = 0
    while n < len(drafts) and drafts[n] == am[n]:
        n += 1
    return n, int(am[n])


def numpy_sampling(rows, drows, drafts, uniforms) -> tuple[int, int]:
    """Algorithm 1 in float64 (check_trace.py's rule); drows None = one-hot drafts (d = δ(x))."""
    g = len(drafts)
    u = np.asarray(uniforms, np.float64) / TWO32
    n = g
    for i, x in enumerate(drafts):
        t = softmax64(rows[i])
        dx = 1.0 if drows is None else softmax64(drows[i])[x]
        if not (u[i] * dx < t[x]):
            n = i
            break
    t = softmax64(rows[n])
    if n == g:
        r = t
    elif drows is None:
        r = t.copy()
        r[drafts[n]] = 0.0
    else:
        r = np.maximum(0.0, t - softmax64(drows[n]))
    c = np.cumsum(r)
    if not c[-1] > 0:
        c = np.cumsum(t)
    return n, min(int(np.searchsorted(c, u[g] * c[-1], side="right")), len(t) - 1)


class ServeVerifier:
    """`hades-sim --serve`: one binary frame per round in, one JSON line out (Sources/hades-sim/Serve.swift)."""

    def __init__(self, binary: str, mode: str, golden_only: bool):
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"generate: --hades-sim {binary}: not an executable (run `swift build -c release` or "
                             "`make build`)")
        cmd = [binary, "--serve", "--vocab", str(VOCAB), "--gamma-max", str(GAMMA_MAX), "--lanes", "16", "--mode", mode]
        if golden_only:
            cmd.append("--golden-only")
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.round = 0
        self.info = self._line("start")  # {"ready": true, …} once the Verilated unit is built

    def _line(self, what) -> dict:
        line = self.p.stdout.readline()
        if not line:
            err = self.p.stderr.read().decode(errors="replace").strip()
            rc = self.p.wait()
            print(f"\ngenerate: the verifier stopped at {what} (exit {rc}): {err}", file=sys.stderr)
            sys.exit(1)
        return json.loads(line)

    def decide(self, rows, drafts, drows=None, uniforms=None, one_hot=False, seed=None) -> dict:
        g = len(drafts)
        flags = (1 if one_hot else 0) | (2 if seed is not None else 0)
        parts = [struct.pack("<III Q", 0x52534448, g, flags, seed or 0), np.asarray(drafts, "<i4").tobytes()]
        if uniforms is not None:
            parts.append(np.asarray(uniforms, "<u4").tobytes())
        parts.append(np.ascontiguousarray(rows, "<f4").tobytes())
        if drows is not None:
            parts.append(np.ascontiguousarray(drows, "<f4").tobytes())
        try:
            self.p.stdin.write(b"".join(parts))
            self.p.stdin.flush()
        except BrokenPipeError:
            pass
        r = self._line(f"round {self.round}")
        self.round += 1
        return r

    def close(self) -> None:
        if self.p.poll() is None:
            self.p.stdin.close()
            self.p.wait()


# --------------------------------------------------------------------------------------------- drafters
class LookupDrafter:
    """Prompt lookup: propose what followed the latest earlier occurrence of the last 3 (else 2) tokens."""
    one_hot = True

    def propose(self, seq, gamma, mode, T, rng):
        prop, m = lookup(seq, gamma)
        return prop, None, m

    def rollback(self, length):
        pass


class EarlyExitDrafter:
    """The model's first K blocks + final norm + tied head (own KV cache, rolled back with the target's)."""
    one_hot = False

    def __init__(self, model: SmolLM2, K: int, exit: str, max_len: int):
        self.m, self.K, self.exit = model, K, exit
        self.cache = model.new_cache(K, max_len)

    def propose(self, seq, gamma, mode, T, rng):
        if gamma == 0:
            return [], None, 0
        dc = self.cache
        dl = self.m.forward(seq[dc.length:], dc, self.K, self.exit)[-1]
        drafts, drows = [], []
        for i in range(gamma):
            if mode == "sampling":
                row = dl / np.float32(T)
                c = np.cumsum(softmax64(row))
                x = min(int(np.searchsorted(c, rng.random() * c[-1], side="right")), VOCAB - 1)
                drows.append(row)
            else:
                x = int(np.argmax(dl))
            drafts.append(x)
            if i < gamma - 1:
                dl = self.m.forward([x], dc, self.K, self.exit)[-1]
        return drafts, (np.stack(drows) if drows else None), self.K

    def rollback(self, length):
        self.cache.truncate(min(self.cache.length, length))


# --------------------------------------------------------------------------------------------- generation
def splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


class Generator:
    def __init__(self, model: SmolLM2, tok: Tokenizer, verifier: str = "rtl", mode: str = "greedy",
                 hades_sim: str | None = None, time_numpy: bool = False):
        self.m, self.tok, self.verifier, self.mode = model, tok, verifier, mode
        self.time_numpy = time_numpy
        self.serve = None
        if verifier in ("rtl", "golden"):
            self.serve = ServeVerifier(hades_sim or os.path.join(ROOT, ".build/release/hades-sim"), mode,
                                       golden_only=verifier == "golden")

    def close(self):
        if self.serve:
            self.serve.close()

    def run(self, prompt_ids, max_new=128, gamma="auto", drafter="lookup", temperature=0.8, seed=1,
            uniforms="host", K=28, exit="plain", stream=None, progress=None) -> dict:
        m, mode = self.m, self.mode
        seq = [int(t) for t in prompt_ids]
        n_prompt = len(seq)
        max_len = n_prompt + max_new + GAMMA_MAX + 4
        tc = m.new_cache(N_LAYERS, max_len)
        d = LookupDrafter() if drafter == "lookup" else EarlyExitDrafter(m, K, exit, max_len)
        ctl = GammaController(drafter) if gamma == "auto" else None
        draft_rng = np.random.default_rng([seed, 1])
        u_rng = np.random.default_rng([seed, 2])
        t0 = time.perf_counter()
        m.hidden(seq[:-1], tc)  # target holds every committed token but the last (fed with the round)
        if drafter != "lookup":
            m.hidden(seq[:-1], d.cache, K)  # the draft's prefill, like the target's, is not part of any round
        prefill_s = time.perf_counter() - t0
        rounds = []
        while len(seq) - n_prompt < max_new:
            c0 = len(seq)
            room = max_new - (c0 - n_prompt)  # never score rows past the budget
            ta = time.perf_counter()
            g_want = ctl.gamma(seq) if ctl else int(gamma)
            g_want = max(0, min(g_want, GAMMA_MAX, room - 1))
            drafts, drows, match = d.propose(seq, g_want, mode, temperature, draft_rng)
            g = len(drafts)
            tb = time.perf_counter()
            rows = m.forward([seq[-1]] + drafts, tc)
            if mode == "sampling":
                rows = rows / np.float32(temperature)
            tcur = time.perf_counter()
            U = u_rng.integers(0, 2 ** 32, size=g + 1, dtype=np.uint32) if mode == "sampling" else None
            rec = {"gamma": g, "gamma_asked": g_want, "match": match, "proposed": drafts}
            if self.serve:
                chip = mode == "sampling" and uniforms == "chip"
                r = self.serve.decide(rows, drafts, drows if mode == "sampling" else None,
                                      None if (mode != "sampling" or chip) else U,
                                      one_hot=mode == "sampling" and drows is None,
                                      seed=splitmix64(seed * 1_000_003 + len(rounds)) if chip else None)
                n, nxt, cycles, flags = r["accepted"], r["token"], r["cycles"], r["flags"]
                assert r["emitted"] == drafts[:n] + [nxt], (r, drafts)
            else:
                n, nxt = numpy_greedy(rows, drafts) if mode == "greedy" else numpy_sampling(rows, drows, drafts, U)
                cycles, flags = None, []
            td = time.perf_counter()
            if self.time_numpy:  # the software verifier on the same rows, timed (its decision is not used)
                tn = time.perf_counter()
                nn = numpy_greedy(rows, drafts) if mode == "greedy" else numpy_sampling(rows, drows, drafts, U)
                rec["numpy_verify_s"] = time.perf_counter() - tn
                rec["numpy_agrees"] = nn == (n, nxt)
            emitted = drafts[:n] + [nxt]
            tc.truncate(c0 - 1 + 1 + n)  # roll back: keep the last committed token and the n accepted
            d.rollback(c0 + n)
            if ctl:
                ctl.update(g, n, match)
            rec.update(accepted=n, token=nxt, cycles=cycles, flags=flags,
                       draft_s=tb - ta, target_s=tcur - tb, verify_s=td - tcur)
            rounds.append(rec)
            if EOS_ID in emitted:
                emitted = emitted[: emitted.index(EOS_ID) + 1]
            seq += emitted
            if stream:
                stream(emitted)
            if progress:
                progress(rounds, len(seq) - n_prompt, time.perf_counter() - t0)
            if EOS_ID in emitted:
                break
        out = seq[n_prompt:]
        return {"prompt_tokens": [int(t) for t in prompt_ids], "tokens": out,
                "text": self.tok.decode(out, skip_special=True), "rounds": rounds,
                "prefill_s": prefill_s, "wall_s": time.perf_counter() - t0}


def plain_greedy(model: SmolLM2, prompt_ids, max_new: int) -> list[int]:
    """Reference: one token per forward, argmax of float32 logits (tools/smollm2.py `generate`)."""
    from smollm2 import generate
    return generate(model, prompt_ids, max_new)


def read_prompt(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
    except OSError as e:
        raise SystemExit(f"generate: --prompt-file {path}: {e.strerror}")
    except UnicodeDecodeError:
        raise SystemExit(f"generate: --prompt-file {path}: not UTF-8 text")
    if not text:
        raise SystemExit(f"generate: --prompt-file {path}: empty prompt")
    return text


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompt-file", required=True)
    ap.add_argument("--max-new", type=int, default=128)
    ap.add_argument("--gamma", default="auto", help="auto or 0…16")
    ap.add_argument("--mode", default="greedy", choices=["greedy", "sampling"])
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--drafter", default="lookup", choices=["lookup", "early-exit"])
    ap.add_argument("--verifier", default="rtl", choices=["rtl", "golden", "numpy"])
    ap.add_argument("--uniforms", default="host", choices=["host", "chip"],
                    help="sampling: uniforms from the host RNG (seeded) or the unit's on-chip generator")
    ap.add_argument("--layers", type=int, default=28, help="early-exit drafter: blocks K")
    ap.add_argument("--exit", default="plain", choices=["plain", "linear"], help="early-exit drafter head")
    ap.add_argument("--json", help="write prompt_tokens, tokens, text and the rounds here")
    ap.add_argument("--hades-sim", help="hades-sim binary (default .build/release/hades-sim)")
    ap.add_argument("--check-plain", action="store_true",
                    help="greedy: also decode plainly (one token per forward) and exit 1 unless the tokens agree")
    a = ap.parse_args(argv)
    if a.gamma != "auto":
        try:
            g = int(a.gamma)
        except ValueError:
            ap.error(f"--gamma {a.gamma}: expected auto or an integer 0…{GAMMA_MAX}")
        if not 0 <= g <= GAMMA_MAX:
            ap.error(f"--gamma {g}: out of range 0…{GAMMA_MAX}")
    if a.max_new < 1:
        ap.error(f"--max-new {a.max_new}: must be at least 1")
    if a.mode == "sampling" and not a.temperature > 0:
        ap.error(f"--temperature {a.temperature}: sampling needs a positive temperature")
    if a.uniforms == "chip" and a.verifier == "numpy":
        ap.error("--uniforms chip needs --verifier rtl or golden (numpy cannot see the on-chip generator)")
    if not 1 <= a.layers < N_LAYERS:
        ap.error(f"--layers {a.layers}: out of range 1…{N_LAYERS - 1}")
    return a


def main(argv=None) -> int:
    a = parse_args(argv)
    text = read_prompt(a.prompt_file)
    tok = Tokenizer()
    model = SmolLM2()
    ids = tok.encode_chat(text)
    gen = Generator(model, tok, a.verifier, a.mode, a.hades_sim)
    tty = sys.stderr.isatty()
    shown = [0, []]

    def stream(emitted):
        shown[1] += emitted
        s = tok.decode(shown[1], skip_special=True)
        if not s.endswith("\ufffd"):  # whole UTF-8 characters only
            sys.stdout.write(s[shown[0]:])
            sys.stdout.flush()
            shown[0] = len(s)

    def progress(rounds, n_tokens, dt, final=False):
        if not (tty or final or len(rounds) % 16 == 0):
            return
        acc = sum(r["accepted"] for r in rounds) / len(rounds)
        line = (f"[{n_tokens} tokens, {n_tokens / dt:.1f} tok/s, {len(rounds)} rounds, mean accepted {acc:.2f}, "
                f"γ {rounds[-1]['gamma']}{' (auto)' if a.gamma == 'auto' else ''}, verifier {a.verifier}]")
        sys.stderr.write(("\r\033[K" if tty else "") + line + ("\n" if final or not tty else ""))
        sys.stderr.flush()

    try:
        res = gen.run(ids, a.max_new, a.gamma, a.drafter, a.temperature, a.seed, a.uniforms, a.layers, a.exit,
                      stream=stream, progress=progress)
    finally:
        gen.close()
    sys.stdout.write("\n")
    progress(res["rounds"], len(res["tokens"]), res["wall_s"], final=True)
    status = 0
    if a.check_plain:
        if a.mode != "greedy":
            raise SystemExit("generate: --check-plain needs --mode greedy")
        ref = plain_greedy(model, ids, a.max_new)
        same = ref == res["tokens"]
        print(f"plain greedy check: {'identical' if same else 'DIFFERENT'} ({len(ref)} tokens)", file=sys.stderr)
        if not same:
            print(f"  speculative {res['tokens']}\n  plain       {ref}", file=sys.stderr)
            status = 1
    if a.json:
        res.update(mode=a.mode, drafter=a.drafter, verifier=a.verifier, gamma=a.gamma, seed=a.seed,
                   temperature=a.temperature if a.mode == "sampling" else None)
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
