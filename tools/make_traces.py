#!/usr/bin/env python3
"""Record real speculative-decoding rounds of SmolLM2-135M-Instruct as HADES trace files (docs/spec.md).

Target: the full 30-block network. Draft: the same network cut after its first K blocks with a linear exit
(smollm2.py), with its own KV cache. Each round:
  1. the draft proposes γ tokens autoregressively (greedy: argmax of its float32 logits; sampling: a sample from
     softmax of its temperature-scaled logits rounded to float16 — the very row that is stored);
  2. the target scores the last committed token + the γ draft tokens in one pass -> γ+1 rows;
  3. the rows are rounded to float16 (sampling: after dividing by the temperature) and the float64 reference
     decision (tools/check_trace.py: greedy argmax rule / Algorithm 1 of Leviathan et al.) is taken on exactly
     those stored values; uniforms are uint32 from a seeded numpy Generator;
  4. both KV caches are rolled back past the rejected tail; n+1 tokens are committed.
All rounds of an answer are run; a window of consecutive rounds that starts after some committed answer tokens
and contains both full acceptances and early rejections is written (savez_compressed).

Extra arrays (ignored by readers): prompt_tokens, prefix_tokens (answer tokens committed before round 0),
committed_before [R], emitted [R, G+1] (-1 padded), K, temperature, seed, and UTF-8 byte arrays (uint8)
model, draft, mode, prompt_text.

Usage:
  python3 tools/make_traces.py --out Tests/Fixtures                  # all fixtures (~2-4 min)
  python3 tools/make_traces.py --out /tmp/x --only greedy_g4         # some of them
  python3 tools/make_traces.py --measure --gamma 4                   # real greedy acceptance on eval prompts
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
from check_trace import argmax_row, check, greedy_decide, sampling_decide, softmax64  # noqa: E402
from smollm2 import MODEL_NAME, N_LAYERS, SmolLM2  # noqa: E402
from tokenizer import EOS_ID, Tokenizer  # noqa: E402

F16 = np.float16
DEFAULT_K = 28
DEFAULT_EXIT = "linear"

# name -> settings. Prompts differ from the linear-exit fit prompts and from draft_acceptance's eval prompts.
FIXTURES = {
    "greedy_g4": dict(mode="greedy", gamma=4, rounds=8, seed=11,
                      prompt="Explain why the ocean is salty."),
    "greedy_g8": dict(mode="greedy", gamma=8, rounds=4, seed=12,
                      prompt="What are some good ways to reduce stress?"),
    "sampling_g4": dict(mode="sampling", gamma=4, rounds=3, seed=13, temperature=0.9,
                        prompt="Describe a walk through a forest in spring."),
}
MIN_COMMITTED = 12  # answer tokens committed before the first recorded round
MAX_NEW = 160


def text_bytes(s: str) -> np.ndarray:
    return np.frombuffer(s.encode("utf-8"), dtype=np.uint8).copy()


class SpecDecoder:
    def __init__(self, model: SmolLM2, K: int, exit: str):
        self.m, self.K, self.exit = model, K, exit

    def run(self, prompt_ids, gamma: int, mode: str = "greedy", temperature: float = 1.0, seed: int = 0,
            max_new: int = MAX_NEW, keep_logits: bool = True, log=None) -> list[dict]:
        m, K = self.m, self.K
        T = np.float32(temperature)
        draft_rng = np.random.default_rng([seed, 1])  # draws the draft's samples
        u_rng = np.random.default_rng([seed, 2])  # the verifier's uniforms
        seq = [int(t) for t in prompt_ids]
        n_prompt = len(seq)
        max_len = n_prompt + max_new + 2 * gamma + 4
        tc = m.new_cache(N_LAYERS, max_len)
        dc = m.new_cache(K, max_len)
        m.hidden(seq[:-1], tc)  # target: every committed token but the last (fed with the round)
        rounds = []
        while len(seq) - n_prompt < max_new:
            c0 = len(seq)
            # ---- draft proposes γ tokens (its cache holds seq[:dc.length])
            dl = m.forward(seq[dc.length:], dc, K, self.exit)[-1]
            drafts, drows = [], []
            for i in range(gamma):
                if mode == "sampling":
                    row = (dl / T).astype(F16)
                    c = np.cumsum(softmax64(row))
                    x = int(np.searchsorted(c, draft_rng.random() * c[-1], side="right"))
                    drows.append(row)
                else:
                    x = int(np.argmax(dl))
                drafts.append(x)
                if i < gamma - 1:
                    dl = m.forward([x], dc, K, self.exit)[-1]
            # ---- target scores γ+1 positions in one pass
            assert tc.length == c0 - 1
            tl = m.forward([seq[-1]] + drafts, tc)
            trows = (tl / T).astype(F16) if mode == "sampling" else tl.astype(F16)
            dtok = np.array(drafts, np.int32)
            if mode == "sampling":
                U = u_rng.integers(0, 2 ** 32, size=gamma + 1, dtype=np.uint32)
                drows = np.stack(drows)
                n, nxt, flags = sampling_decide(trows, drows, dtok, U, gamma)
            else:
                U, drows, flags = None, None, []
                n, nxt = greedy_decide(trows, dtok, gamma)
            emitted = drafts[:n] + [nxt]
            # ---- roll back: target keeps last committed + n accepted; draft keeps what matches the new prefix
            tc.truncate(c0 - 1 + 1 + n)
            dc.truncate(min(dc.length, c0 + n))
            rec = dict(gamma=gamma, accepted=n, next_token=nxt, draft_tokens=dtok, committed_before=c0 - n_prompt,
                       emitted=emitted, flags=flags, greedy_target=[argmax_row(r) for r in trows])
            if keep_logits:
                rec.update(target_logits=trows, draft_logits=drows, uniforms=U)
            rounds.append(rec)
            if log:
                log(len(rounds) - 1, rec)
            if EOS_ID in emitted:
                seq += emitted[: emitted.index(EOS_ID) + 1]
                break
            seq += emitted
        return rounds


def pick_window(rounds: list[dict], R: int, gamma: int) -> int:
    """First window of R consecutive rounds starting after MIN_COMMITTED answer tokens, with the best mix of
    outcomes: a full acceptance, a rejection at 0, a partial acceptance (then the earliest such window)."""
    best, best_s = None, -1
    for s in range(len(rounds) - R + 1):
        if rounds[s]["committed_before"] < MIN_COMMITTED:
            continue
        ns = [r["accepted"] for r in rounds[s:s + R]]
        if any(EOS_ID in r["emitted"][:-1] for r in rounds[s:s + R]):
            continue
        score = 4 * (gamma in ns) + 2 * (0 in ns) + 1 * any(0 < n < gamma for n in ns)
        if score > best_s:
            best, best_s = s, score
    if best is None:
        raise SystemExit(f"only {len(rounds)} rounds: cannot choose {R} after {MIN_COMMITTED} committed tokens")
    return best


def make_fixture(name: str, cfg: dict, dec: SpecDecoder, tok: Tokenizer, out_dir: str) -> dict:
    t0 = time.time()
    prompt = tok.encode_chat(cfg["prompt"])
    g = cfg["gamma"]

    def log(i, r):
        txt = tok.decode(r["emitted"]).replace("\n", "\\n")
        print(f"[{name}] round {i}: committed {r['committed_before']}, accepted {r['accepted']}/{r['gamma']}, "
              f"emitted {txt!r} ({time.time() - t0:.1f}s)", file=sys.stderr, flush=True)

    rounds = dec.run(prompt, g, cfg["mode"], cfg.get("temperature", 1.0), cfg["seed"], log=log)
    s = pick_window(rounds, cfg["rounds"], g)
    sel = rounds[s:s + cfg["rounds"]]
    prefix = []
    for r in rounds[:s]:
        prefix += r["emitted"]
    emitted = np.full((len(sel), g + 1), -1, np.int32)
    for i, r in enumerate(sel):
        emitted[i, : len(r["emitted"])] = r["emitted"]
    arrays = dict(
        target_logits=np.stack([r["target_logits"] for r in sel]),
        draft_tokens=np.stack([r["draft_tokens"] for r in sel]).astype(np.int32),
        gamma=np.array([r["gamma"] for r in sel], np.int32),
        accepted=np.array([r["accepted"] for r in sel], np.int32),
        next_token=np.array([r["next_token"] for r in sel], np.int32),
        prompt_tokens=np.array(prompt, np.int32),
        prefix_tokens=np.array(prefix, np.int32),
        committed_before=np.array([r["committed_before"] for r in sel], np.int32),
        emitted=emitted,
        K=np.int32(dec.K),
        temperature=np.float32(cfg.get("temperature", 1.0)),
        seed=np.int32(cfg["seed"]),
        model=text_bytes(MODEL_NAME),
        draft=text_bytes(f"first {dec.K} of {N_LAYERS} blocks, {dec.exit} exit, tied head"),
        mode=text_bytes(cfg["mode"]),
        prompt_text=text_bytes(cfg["prompt"]),
    )
    if cfg["mode"] == "sampling":
        arrays["draft_logits"] = np.stack([r["draft_logits"] for r in sel])
        arrays["uniforms"] = np.stack([r["uniforms"] for r in sel]).astype(np.uint32)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + ".npz")
    np.savez_compressed(path, **arrays)
    info = dict(name=name, path=path, bytes=os.path.getsize(path), rounds=len(sel), window_start=s,
                total_rounds=len(rounds), accepted=[r["accepted"] for r in sel], gamma=g, seconds=time.time() - t0,
                answer=tok.decode(sum((r["emitted"] for r in rounds), []), skip_special=True))
    print(f"[{name}] wrote {path}: {info['bytes'] / 1e6:.2f} MB, rounds {s}..{s + len(sel) - 1} of {len(rounds)}, "
          f"accepted {info['accepted']} (γ={g}), {info['seconds']:.0f}s", file=sys.stderr)
    return info


def measure(dec: SpecDecoder, tok: Tokenizer, gammas) -> None:
    from draft_acceptance import EVAL_MAX_NEW, EVAL_PROMPTS
    for g in gammas:
        tot = rounds = full = 0
        t0 = time.time()
        for q in EVAL_PROMPTS:
            rs = dec.run(tok.encode_chat(q), g, "greedy", max_new=EVAL_MAX_NEW, keep_logits=False)
            for r in rs:  # rounds that lie inside the answer, as draft_acceptance.replay counts them
                if r["committed_before"] + g < EVAL_MAX_NEW and EOS_ID not in r["emitted"]:
                    tot += r["accepted"]
                    rounds += 1
                    full += r["accepted"] == g
        print(f"K={dec.K} {dec.exit} γ={g}: real greedy speculative decoding accepted {tot}/{g * rounds} = "
              f"{tot / (g * rounds):.3f}, full rounds {full}/{rounds} ({time.time() - t0:.0f}s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "Tests", "Fixtures"))
    ap.add_argument("--only", nargs="+", choices=sorted(FIXTURES), help="fixtures to make (default: all)")
    ap.add_argument("--K", type=int, default=DEFAULT_K, help=f"draft blocks (default {DEFAULT_K})")
    ap.add_argument("--exit", choices=["plain", "linear"], default=DEFAULT_EXIT)
    ap.add_argument("--measure", action="store_true", help="print real greedy acceptance on the eval prompts")
    ap.add_argument("--gamma", type=int, nargs="+", default=[4, 8], help="γ values for --measure")
    args = ap.parse_args()
    t0 = time.time()
    model = SmolLM2()
    tok = Tokenizer()
    dec = SpecDecoder(model, args.K, args.exit)
    if args.measure:
        measure(dec, tok, args.gamma)
        return
    infos = [make_fixture(n, FIXTURES[n], dec, tok, args.out) for n in (args.only or FIXTURES)]
    ok = all(check(i["path"], verbose=False) for i in infos)
    print("\nfile | size | rounds | accepted per round | γ")
    for i in infos:
        print(f"{os.path.basename(i['path'])} | {i['bytes'] / 1e6:.2f} MB | {i['rounds']} (of {i['total_rounds']}, "
              f"from {i['window_start']}) | {i['accepted']} | {i['gamma']}")
    print(f"total {sum(i['bytes'] for i in infos) / 1e6:.2f} MB in {time.time() - t0:.0f}s")
    if not ok:
        raise SystemExit("check_trace found a mismatch")


if __name__ == "__main__":
    main()
