#!/usr/bin/env python3
"""Independent PyTorch eager reference for sdpo4j's decoders: GPT-2, Llama/Qwen2, and the newer
families (Qwen3, Mistral, Gemma 3 text, OLMo 2, Phi-3), written from their published architecture
descriptions and the meaning of their HuggingFace config fields.

Reads a HuggingFace model directory (config.json + model.safetensors or its shards, F32 or BF16, parsed here with the
standard library and numpy, no sdpo4j code) and inputs.json ({"ids": [[...]], "mask": [[...]]}),
and writes logits.bin: float32 little-endian, shape [B, L, V], computed the way the HuggingFace
implementations do (left padding, positions = cumsum(mask) - 1, causal + padding mask).

Run with Debian's python3-torch: /usr/bin/python3 lm_reference.py DIR [DIR ...]
"""
import json
import os
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
        b, e = info["data_offsets"]
        if info["dtype"] == "F32":
            values = np.frombuffer(data[b:e], dtype="<f4").copy()
        else:
            # bf16 is the upper half of an fp32: widen by shifting the 16 bits up
            assert info["dtype"] == "BF16", info["dtype"]
            values = (np.frombuffer(data[b:e], dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        out[name] = torch.from_numpy(values).reshape(info["shape"])
    return out


def read_weights(d):
    """model.safetensors, or the shards model.safetensors.index.json names."""
    try:
        index = json.load(open(f"{d}/model.safetensors.index.json"))
    except FileNotFoundError:
        return read_safetensors(f"{d}/model.safetensors")
    out = {}
    for shard in sorted(set(index["weight_map"].values())):
        out.update(read_safetensors(f"{d}/{shard}"))
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
        # HF's LlamaAttention biases o_proj too when attention_bias is set; Qwen2's o_proj has none.
        x = x + lin(o, q + "self_attn.o_proj", cfg.get("attention_bias", False) and cfg["model_type"] != "qwen2")
        t = rms(x, q + "post_attention_layernorm.weight")
        g = torch.nn.functional.silu(t @ w[q + "mlp.gate_proj.weight"].T)
        x = x + (g * (t @ w[q + "mlp.up_proj.weight"].T)) @ w[q + "mlp.down_proj.weight"].T
    x = rms(x, "model.norm.weight")
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def newer(cfg, w, ids, mask):
    """Qwen3, Mistral, Gemma 3 (text), OLMo 2 and Phi-3, one block written out per family's description:

    - qwen3: Llama blocks plus an RMSNorm over each head of q and k before RoPE; head_dim of its own
      (HF default 128); attention_bias off by default.
    - mistral: Llama blocks; every layer attends only to the last `sliding_window` positions
      (HF default 4096 when the field is absent, none when null).
    - gemma3_text: RMSNorm scaled by (1 + w); embeddings times sqrt(hidden); norms before and after
      attention and the MLP; q/k per-head norms; GeGLU with tanh-GELU; scores scaled by
      query_pre_attn_scalar^-0.5 and optionally soft-capped; layers alternate sliding (RoPE base
      rope_local_base_freq, unscaled) and global (rope_theta with rope_scaling), a layer i being
      global when (i + 1) % sliding_window_pattern == 0 unless layer_types lists them; final
      logits soft-capped when final_logit_softcapping is set; tied head by default.
    - olmo2: no norm before attention or MLP, an RMSNorm on each one's output before the residual;
      q and k normed over the whole projection.
    - phi3: one qkv projection (q, then k, then v rows) and one gate_up projection (gate first),
      sliding window as Mistral (default none).
    Masks follow HF: causal over the padded row, padding keys masked, and for a sliding layer key j
    visible to query i only if i - j < window.
    """
    t = cfg["model_type"]
    gemma = t == "gemma3_text"
    h, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    d = cfg.get("head_dim") or (128 if t == "qwen3" else h // nh)
    eps = cfg.get("rms_norm_eps", 1e-6)
    n_layers = cfg["num_hidden_layers"]
    b, l = ids.shape

    if t == "mistral":
        window = cfg["sliding_window"] if "sliding_window" in cfg else 4096
    elif t in ("phi3", "gemma3_text"):
        window = cfg.get("sliding_window", 4096 if gemma else None)
    else:
        window = None
    if gemma:
        types = cfg.get("layer_types") or [
            "full_attention" if (i + 1) % cfg.get("sliding_window_pattern", 6) == 0 else "sliding_attention"
            for i in range(n_layers)]
        sliding = [x == "sliding_attention" for x in types]
    else:
        sliding = [window is not None] * n_layers

    row = torch.arange(l)
    allowed = (row[None, :] <= row[:, None])[None, None] & mask.bool()[:, None, None, :]
    if window:
        near = (row[:, None] - row[None, :]) < window
        local_allowed = allowed & near[None, None]
    else:
        local_allowed = allowed
    full_bias = torch.zeros(allowed.shape).masked_fill(~allowed, -1e9)
    local_bias = torch.zeros(allowed.shape).masked_fill(~local_allowed, -1e9)

    pos = (mask.cumsum(-1) - 1).clamp(min=0).float()

    def cos_sin(inv):
        ang = pos[..., None] * inv
        emb = torch.cat([ang, ang], dim=-1)[:, None]
        return emb.cos(), emb.sin()

    global_rope = cos_sin(rope_inv_freq(cfg, d))
    if gemma:
        base = cfg.get("rope_local_base_freq", 10000.0)
        local_rope = cos_sin((1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float64) / d))).float())
    else:
        local_rope = global_rope

    def norm(x, name):
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
        return y * (1.0 + w[name]) if gemma else y * w[name]

    def lin(x, name):
        y = x @ w[name + ".weight"].T
        return y + w[name + ".bias"] if (name + ".bias") in w else y

    def rotate(x, cs):
        cos, sin = cs
        half = x.shape[-1] // 2
        turned = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * cos + turned * sin

    scale = cfg["query_pre_attn_scalar"] ** -0.5 if gemma else d ** -0.5
    attn_cap = cfg.get("attn_logit_softcapping") if gemma else None

    def attend(x, p, i):
        if t == "phi3":
            q, k, v = lin(x, p + "self_attn.qkv_proj").split([nh * d, nkv * d, nkv * d], dim=-1)
        else:
            q, k, v = (lin(x, p + "self_attn." + n) for n in ("q_proj", "k_proj", "v_proj"))
        if t == "olmo2":
            q = norm(q, p + "self_attn.q_norm.weight")
            k = norm(k, p + "self_attn.k_norm.weight")
        q = q.view(b, l, nh, d).transpose(1, 2)
        k = k.view(b, l, nkv, d).transpose(1, 2)
        v = v.view(b, l, nkv, d).transpose(1, 2)
        if t in ("qwen3", "gemma3_text"):
            q = norm(q, p + "self_attn.q_norm.weight")
            k = norm(k, p + "self_attn.k_norm.weight")
        cs = local_rope if sliding[i] else global_rope
        q, k = rotate(q, cs), rotate(k, cs)
        k = k.repeat_interleave(nh // nkv, dim=1)
        v = v.repeat_interleave(nh // nkv, dim=1)
        s = (q @ k.transpose(-1, -2)) * scale
        if attn_cap:
            s = torch.tanh(s / attn_cap) * attn_cap
        s = s + (local_bias if sliding[i] else full_bias)
        o = torch.softmax(s, dim=-1) @ v
        return lin(o.transpose(1, 2).reshape(b, l, nh * d), p + "self_attn.o_proj")

    def mlp(x, p):
        if t == "phi3":
            gate, up = lin(x, p + "mlp.gate_up_proj").chunk(2, dim=-1)
        else:
            gate, up = lin(x, p + "mlp.gate_proj"), lin(x, p + "mlp.up_proj")
        act = torch.nn.functional.gelu(gate, approximate="tanh") if gemma else torch.nn.functional.silu(gate)
        return lin(act * up, p + "mlp.down_proj")

    x = w["model.embed_tokens.weight"][ids]
    if gemma:
        x = x * torch.tensor(h ** 0.5)
    for i in range(n_layers):
        p = f"model.layers.{i}."
        if gemma:
            x = x + norm(attend(norm(x, p + "input_layernorm.weight"), p, i), p + "post_attention_layernorm.weight")
            x = x + norm(mlp(norm(x, p + "pre_feedforward_layernorm.weight"), p), p + "post_feedforward_layernorm.weight")
        elif t == "olmo2":
            x = x + norm(attend(x, p, i), p + "post_attention_layernorm.weight")
            x = x + norm(mlp(x, p), p + "post_feedforward_layernorm.weight")
        else:
            x = x + attend(norm(x, p + "input_layernorm.weight"), p, i)
            x = x + mlp(norm(x, p + "post_attention_layernorm.weight"), p)
    x = norm(x, "model.norm.weight")
    tied = cfg.get("tie_word_embeddings", gemma)
    logits = x @ (w["model.embed_tokens.weight"] if tied else w["lm_head.weight"]).T
    cap = cfg.get("final_logit_softcapping") if gemma else None
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return logits


def forward(cfg, w, ids, mask):
    """Logits [B, L, V] of the model that config.json describes."""
    kind = cfg["model_type"]
    fn = gpt2 if kind == "gpt2" else llama if kind in ("llama", "qwen2") else newer
    return fn(cfg, w, ids, mask)


def merge_lora(w, d):
    """PEFT LoRA adapters in d (adapter_config.json, adapter_model.safetensors) folded into w as PEFT defines them:
    W + (lora_alpha / r) * B @ A for every module that has an A and a B; biases and other keys untouched."""
    cfg = json.load(open(f"{d}/adapter_config.json"))
    if cfg.get("peft_type") != "LORA" or cfg.get("use_rslora") or cfg.get("use_dora") or cfg.get("fan_in_fan_out"):
        raise SystemExit(f"{d}: only plain LoRA adapters are supported by this reference")
    scale = cfg["lora_alpha"] / cfg["r"]
    ad = read_safetensors(f"{d}/adapter_model.safetensors")
    prefix = "base_model.model."
    done = 0
    for k, a in ad.items():
        if not k.endswith(".lora_A.weight"):
            continue
        module = k[len(prefix):-len(".lora_A.weight")]
        b = ad[k.replace(".lora_A.", ".lora_B.")]
        w[module + ".weight"] = w[module + ".weight"] + scale * (b @ a)
        done += 1
    if done == 0:
        raise SystemExit(f"{d}: no lora_A/lora_B pairs")
    return w


def main():
    for d in sys.argv[1:]:
        d = d.rstrip("/")
        cfg = json.load(open(f"{d}/config.json"))
        w = read_weights(d)
        if os.path.isdir(f"{d}/adapter"):
            w = merge_lora(w, f"{d}/adapter")
        inputs = json.load(open(f"{d}/inputs.json"))
        ids = torch.tensor(inputs["ids"], dtype=torch.long)
        mask = torch.tensor(inputs["mask"], dtype=torch.long)
        logits = forward(cfg, w, ids, mask).contiguous().numpy().astype("<f4")
        logits.tofile(f"{d}/logits.bin")
        print(d, tuple(logits.shape))


if __name__ == "__main__":
    main()
