#!/usr/bin/env python3
"""PyTorch eager reference for `bin/sdpo4j lm-bench`: the same model directories, the same work.

For each model directory: forward+backward tokens/s on a [batch, seq] next-token loss, greedy
generation tokens/s with a KV cache, and without one (recomputing the whole sequence each
step). Prints `torch <dir> fwdbwd_tok_s=.. gen_cache_tok_s=.. gen_nocache_tok_s=..`.
Uses lm_reference.py's loader and blocks (trainer/src/test/python).
Run with Debian's python3-torch: /usr/bin/python3 lm_bench_torch.py [--gen-batch N] [--reps N] THREADS BATCH SEQ NEW DIR...
--gen-batch: sequences generated at once (default BATCH); --reps: timed forward+backward passes
(default 3; their mean counts) and timed generations (default 1; the best counts), each after one
untimed. `bin/sdpo4j real-bench` runs it on release-shaped directories (Qwen2.5: q/k/v biases,
shards). Also prints `torch_peak_rss_mib=..`, the process's own high-water mark.
"""
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src", "test", "python"))
import lm_reference as ref  # noqa: E402


def llama_step(cfg, w, ids, pos, cache):
    """One forward with a KV cache (cache: list of (k, v) per layer, or empty list)."""
    h, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    d = h // nh
    eps = cfg.get("rms_norm_eps", 1e-6)
    inv = ref.rope_inv_freq(cfg, d)
    ang = pos[..., None].float() * inv
    emb = torch.cat([ang, ang], dim=-1)[:, None]
    cos, sin = emb.cos(), emb.sin()

    def rot(t):
        return torch.cat([-t[..., d // 2:], t[..., : d // 2]], dim=-1)

    def rms(t, name):
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps) * w[name]

    bias_qkv = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)

    def lin(t, name):
        y = t @ w[name + ".weight"].T
        return y + w[name + ".bias"] if bias_qkv else y

    x = w["model.embed_tokens.weight"][ids]
    b, l = ids.shape
    past = cache[0][0].shape[2] if cache else 0
    s = past + l
    causal = torch.ones(l, s, dtype=torch.bool).tril(diagonal=past)
    bias = torch.where(causal, 0.0, -1e9)[None, None]
    new_cache = []
    for i in range(cfg["num_hidden_layers"]):
        q = f"model.layers.{i}."
        t = rms(x, q + "input_layernorm.weight")
        qq = lin(t, q + "self_attn.q_proj").view(b, l, nh, d).transpose(1, 2)
        kk = lin(t, q + "self_attn.k_proj").view(b, l, nkv, d).transpose(1, 2)
        vv = lin(t, q + "self_attn.v_proj").view(b, l, nkv, d).transpose(1, 2)
        qq = qq * cos + rot(qq) * sin
        kk = kk * cos + rot(kk) * sin
        if cache:
            kk = torch.cat([cache[i][0], kk], dim=2)
            vv = torch.cat([cache[i][1], vv], dim=2)
        new_cache.append((kk, vv))
        k2 = kk.repeat_interleave(nh // nkv, dim=1)
        v2 = vv.repeat_interleave(nh // nkv, dim=1)
        o = ref.attention(qq, k2, v2, bias).transpose(1, 2).reshape(b, l, h)
        x = x + o @ w[q + "self_attn.o_proj.weight"].T
        t = rms(x, q + "post_attention_layernorm.weight")
        g = torch.nn.functional.silu(t @ w[q + "mlp.gate_proj.weight"].T)
        x = x + (g * (t @ w[q + "mlp.up_proj.weight"].T)) @ w[q + "mlp.down_proj.weight"].T
    x = rms(x, "model.norm.weight")
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x[:, -1] @ head.T, new_cache


def main():
    args = sys.argv[1:]
    options = {"--gen-batch": None, "--reps": None}
    while args and args[0] in options:
        options[args[0]] = int(args[1])
        args = args[2:]
    threads, batch, seq, new = (int(a) for a in args[:4])
    gen_batch = options["--gen-batch"] or batch
    fb_reps = options["--reps"] or 3
    gen_reps = options["--reps"] or 1
    torch.set_num_threads(threads)
    for d in args[4:]:
        cfg = json.load(open(f"{d}/config.json"))
        w = ref.read_weights(d)
        ids = torch.randint(0, 256, (batch, seq))
        mask = torch.ones_like(ids)
        params = [t.requires_grad_(True) for t in w.values()]

        def fwdbwd():
            logits = ref.llama(cfg, w, ids, mask)
            loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
            loss.backward()
            for p in params:
                p.grad = None

        with torch.enable_grad():
            fwdbwd()
            t0 = time.perf_counter()
            for _ in range(fb_reps):
                fwdbwd()
            fb = fb_reps * batch * seq / (time.perf_counter() - t0)
        for p in params:
            p.requires_grad_(False)

        prompt = torch.randint(0, 256, (gen_batch, 8))
        with torch.no_grad():
            def gen(use_cache):
                seqs = prompt
                cache = []
                pos = torch.arange(seqs.shape[1])[None].repeat(gen_batch, 1)
                logits, cache = llama_step(cfg, w, seqs, pos, [])
                for step in range(new - 1):
                    nxt = logits.argmax(-1, keepdim=True)
                    seqs = torch.cat([seqs, nxt], dim=1)
                    if use_cache:
                        p = torch.full((gen_batch, 1), seqs.shape[1] - 1)
                        logits, cache = llama_step(cfg, w, nxt, p, cache)
                    else:
                        p = torch.arange(seqs.shape[1])[None].repeat(gen_batch, 1)
                        logits, _ = llama_step(cfg, w, seqs, p, [])
            gen(True)
            best = float("inf")
            for _ in range(gen_reps):
                t0 = time.perf_counter()
                gen(True)
                best = min(best, time.perf_counter() - t0)
            gc = gen_batch * new / best
            gn = float("nan")
            if cfg["num_hidden_layers"] <= 4:  # recomputation is too slow to time on the larger model
                t0 = time.perf_counter()
                gen(False)
                gn = gen_batch * new / (time.perf_counter() - t0)
        print(f"torch {d} fwdbwd_tok_s={fb:.1f} gen_cache_tok_s={gc:.1f} gen_nocache_tok_s={gn:.1f}", flush=True)
        del w, params
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(f"torch_peak_rss_mib={int(peak.split()[1]) / 1024:.1f}", flush=True)


if __name__ == "__main__":
    main()
