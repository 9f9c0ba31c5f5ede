#!/usr/bin/env python3
"""Plain NumPy reference for the simulator benchmark: the paper's SDPO update (continuous
feedback, eq. 3 plus the pull to the initial policy) with the per-step metrics the simulator
records (reward, entropy, credit correlation), one run at a time, in a Python loop.
Prints milliseconds per run-step as `numpy_ms_per_run_step=<x>`. The Java benchmark
(`bin/sdpo4j sim-bench`) runs this beside itself so both figures come from one run."""
import sys
import time

import numpy as np

V, T, B, STEPS, LR, LAM, BETA = 8, 6, 32, 300, 0.02, 0.01, 1.5


def run(seed):
    rng = np.random.default_rng(seed)
    q = rng.normal(0.0, 1.0, (T, V))
    b = rng.normal(0.0, 0.5, (V, V))
    target = rng.integers(0, V, T)
    logits = np.zeros((T, V))
    ref = np.full((T, V), 1.0 / V)
    metrics = []
    for _ in range(STEPS):
        p = np.exp(logits - logits.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        cdf = np.cumsum(p, -1)
        u = rng.random((B, T, 1))
        s = np.minimum((u > cdf[None]).sum(-1), V - 1)
        raw = q[np.arange(T), s].sum(-1) + b[s[:, :-1], s[:, 1:]].sum(-1) + (s == target).sum(-1)
        f = 1.0 / (1.0 + np.exp(-raw / T))
        teacher = logits[None] + BETA * f[:, None, None] * q[None]
        pt = np.exp(teacher - teacher.max(-1, keepdims=True))
        pt /= pt.sum(-1, keepdims=True)
        grad = (p[None] - pt).mean(0) + LAM * (p - ref)
        # The metrics the simulator records every step: reward, entropy, credit correlation.
        metrics.append(f.mean())
        metrics.append(-(p * np.log(p)).sum(-1).mean())
        a = q - (p * q).sum(-1, keepdims=True)
        d = -grad - (-grad).mean(-1, keepdims=True)
        ac = a - a.mean(-1, keepdims=True)
        metrics.append(((d * ac).sum(-1) / np.sqrt((d * d).sum(-1) * (ac * ac).sum(-1))).mean())
        logits -= LR * grad


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    start = time.perf_counter()
    for seed in range(runs):
        run(seed)
    elapsed = time.perf_counter() - start
    print(f"numpy_ms_per_run_step={1000 * elapsed / (runs * STEPS):.4f}")


if __name__ == "__main__":
    main()
