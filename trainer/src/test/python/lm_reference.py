#!/usr/bin/env python3
"""Independent PyTorch eager reference for sdpo4j's decoders (GPT-2 and Llama/Qwen2 families).

Reads a HuggingFace model directory (config.json + model.safetensors, parsed here with the
standard library and numpy, no sdpo4j code) and inputs.json ({"ids": [[...]], "mask": [[...]]}),
and writes logits.bin: float32 little-endian, shape [B, L, V], computed the way the HuggingFace
implementations do (left padding, positions = cumsum(mask) - 1, causal + padding mask).

Run with Debian's python3-torch: /usr/bin/python3 lm_reference.py DIR [DIR ...]
"""
import json
import math
import struct
import sys

import numpy as np
import torch

torch.set_grad_enabled(False)


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info["dtype"]
        b, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype="<f4").copy()).reshape(info["shape"])
    return out


def additive_mask(mask):
    b, s = mask.shape
    causal = torch.tril(torch.ones(s, s, dtype=torch.bool))
    allowed = causal[None, None] & mask.bool()[:, None, None, :]
    return torch.where(allowed, torch.tensor(0.0), torch.tensor(-1e9))


def attention(q, k, v, bias):
    d = q.shape[-1]
    w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1)
    return w @ v


def gpt2(cfg, w, ids, mask):
    h, nh = cfg["n_embd"], cfg["n_head"]
    p = "transformer." if "transformer.wte.weight" in w else ""
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    x = w[p + "wte.weight"][ids] + w[p + "wpe.weight"][pos]
    bias = additive_mask(mask)
    eps = cfg.get("layer_norm_epsilon", 1e-5)

    def ln(t, name):
        return torch.nn.functional.layer_norm(t, (h,), w[name + ".weight"], w[name + ".bias"], eps)

    def split(t):
        b, l, _ = t.shape
        return t.view(b, l, nh, h // nh).transpose(1, 2)

    for i in range(cfg["n_layer"]):
        q = f"{p}h.{i}."
        a = ln(x, q + "ln_1") @ w[q + "attn.c_attn.weight"] + w[q + "attn.c_attn.bias"]
        qq, kk, vv = a.split(h, dim=-1)
        o = attention(split(qq), split(kk), split(vv), bias)
        o = o.transpose(1, 2).reshape(x.shape)
        x = x + o @ w[q + "attn.c_proj.weight"] + w[q + "attn.c_proj.bias"]
        m = ln(x, q + "ln_2") @ w[q + "mlp.c_fc.weight"] + w[q + "mlp.c_fc.bias"]
        m = 0.5 * m * (1 + torch.tanh(math.sqrt(2 / math.pi) * (m + 0.044715 * m ** 3)))
        x = x + m @ w[q + "mlp.c_proj.weight"] + w[q + "mlp.c_proj.bias"]
    x = ln(x, p + "ln_f")
    head = w["lm_head.weight"] if not cfg.get("tie_word_embeddings", True) else w[p + "wte.weight"]
    return x @ head.T


def rope_inv_freq(cfg, d):
    inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    rs = cfg.get("rope_scaling")
    if rs:
        kind = rs.get("rope_type", rs.get("type"))
        if kind == "linear":
            inv = inv / rs["factor"]
        elif kind == "llama3":
            factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
            old = rs["original_max_position_embeddings"]
            wavelen = 2 * math.pi / inv
            smooth = (old / wavelen - low) / (high - low)
            scaled = torch.where(wavelen > old / low, inv / factor, inv)
            mid = (wavelen <= old / low) & (wavelen >= old / high)
            inv = torch.where(mid, (1 - smooth) * inv / factor + smooth * inv, scaled)
    return inv.float()


def llama(cfg, w, ids, mask):
    h, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    d = h // nh
    eps = cfg.get("rms_norm_eps", 1e-6)
    bias_qkv = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    inv = rope_inv_freq(cfg, d)
    ang = pos[..., None].float() * inv
    emb = torch.cat([ang, ang], dim=-1)[:, None]
    cos, sin = emb.cos(), emb.sin()

    def rot(t):
        t1, t2 = t[..., : d // 2], t[..., d // 2:]
        return torch.cat([-t2, t1], dim=-1)

    def rms(t, name):
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps) * w[name]

    def lin(t, name, bias):
        y = t @ w[name + ".weight"].T
        return y + w[name + ".bias"] if bias else y

    x = w["model.embed_tokens.weight"][ids]
    amask = additive_mask(mask)
    b, l = ids.shape
    for i in range(cfg["num_hidden_layers"]):
        q = f"model.layers.{i}."
        t = rms(x, q + "input_layernorm.weight")
        qq = lin(t, q + "self_attn.q_proj", bias_qkv).view(b, l, nh, d).transpose(1, 2)
        kk = lin(t, q + "self_attn.k_proj", bias_qkv).view(b, l, nkv, d).transpose(1, 2)
        vv = lin(t, q + "self_attn.v_proj", bias_qkv).view(b, l, nkv, d).transpose(1, 2)
        qq = qq * cos + rot(qq) * sin
        kk = kk * cos + rot(kk) * sin
        kk = kk.repeat_interleave(nh // nkv, dim=1)
        vv = vv.repeat_interleave(nh // nkv, dim=1)
        o = attention(qq, kk, vv, amask).transpose(1, 2).reshape(b, l, h)
        x = x + o @ w[q + "self_attn.o_proj.weight"].T
        t = rms(x, q + "post_attention_layernorm.weight")
        g = torch.nn.functional.silu(t @ w[q + "mlp.gate_proj.weight"].T)
        x = x + (g * (t @ w[q + "mlp.up_proj.weight"].T)) @ w[q + "mlp.down_proj.weight"].T
    x = rms(x, "model.norm.weight")
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def main():
    for d in sys.argv[1:]:
        cfg = json.load(open(f"{d}/config.json"))
        w = read_safetensors(f"{d}/model.safetensors")
        inputs = json.load(open(f"{d}/inputs.json"))
        ids = torch.tensor(inputs["ids"], dtype=torch.long)
        mask = torch.tensor(inputs["mask"], dtype=torch.long)
        fn = gpt2 if cfg["model_type"] == "gpt2" else llama
        logits = fn(cfg, w, ids, mask).contiguous().numpy().astype("<f4")
        logits.tofile(f"{d}/logits.bin")
        print(d, tuple(logits.shape))


if __name__ == "__main__":
    main()
