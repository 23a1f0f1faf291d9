"""Writes small valid trace archives (numpy.savez / savez_compressed) as libFuzzer seeds into argv[1]."""
import sys
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
for i, (R, G, V) in enumerate([(2, 1, 3), (3, 2, 5), (1, 3, 4)]):
    t = rng.standard_normal((R, G + 1, V)).astype(np.float16 if i % 2 == 0 else np.float32)
    d = rng.integers(0, V, (R, G)).astype(np.int64 if i % 2 == 0 else np.int32)
    g = rng.integers(0, G + 1, R)
    extra = dict(draft_logits=rng.standard_normal((R, G, V)).astype(np.float16),
                 uniforms=rng.integers(0, 2**32, (R, G + 1), dtype=np.uint32)) if i == 1 else {}
    np.savez(f"{out}/seed{i}.npz", target_logits=t, draft_tokens=d, gamma=g, **extra)
    np.savez_compressed(f"{out}/seed{i}c.npz", target_logits=t, draft_tokens=d, gamma=g, **extra)
