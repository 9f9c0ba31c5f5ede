#!/usr/bin/env python3
"""Independent check of model directories saved by sdpo4j (HfCheckpoint.save), without sdpo4j code.

Usage: /usr/bin/python3 check_saved.py ROOT
ROOT holds, per case NAME, the directories NAME-fp32, NAME-bf16 and NAME-sharded (bf16 in shards), each a
saved model plus inputs.json ({"ids": [[...]], "mask": [[...]]}) and expected-logits.bin (float32 [B, L, V]:
the logits sdpo4j's loader computes for the reloaded directory). Checks, as HuggingFace's save_pretrained
would have written them:
  - every safetensors header parses; tensors are contiguous and in range; no tensor is stored twice and a
    tied model stores no lm_head.weight;
  - a sharded directory: files model-0000i-of-0000N.safetensors, no model.safetensors, and the index is
    exactly json.dumps({"metadata": {"total_size": bytes}, "weight_map": ...}, indent=2, sort_keys=True) + "\\n"
    with every tensor mapped to the shard that holds it;
  - config.json of -bf16 and -fp32 differ only in torch_dtype ("bfloat16" / "float32");
  - the bf16 weights are torch's .to(torch.bfloat16) of the fp32 ones, bit for bit;
  - the PyTorch reference (lm_reference.py) on the saved weights gives the expected logits within 1e-4.
Prints one line per directory; exits 1 on the first failure.
"""
import json
import os
import re
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lm_reference  # noqa: E402


def header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        h = json.loads(f.read(n))
        size = os.fstat(f.fileno()).st_size - 8 - n
    h.pop("__metadata__", None)
    end = 0
    for name, info in sorted(h.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = info["data_offsets"]
        width = {"F32": 4, "BF16": 2}[info["dtype"]]
        assert b == end, f"{path}: {name} starts at {b}, not {end}"
        assert e - b == width * int(np.prod(info["shape"], dtype=np.int64)), f"{path}: {name} has the wrong size"
        end = e
    assert end == size, f"{path}: data section {size} bytes, tensors end at {end}"
    return h


def check_layout(d, cfg):
    files = sorted(f for f in os.listdir(d) if f.endswith(".safetensors"))
    stored = {}
    index_path = f"{d}/model.safetensors.index.json"
    if os.path.exists(index_path):
        n = len(files)
        assert n > 1 and files == [f"model-{i + 1:05d}-of-{n:05d}.safetensors" for i in range(n)], files
        total = 0
        for f in files:
            for name, info in header(f"{d}/{f}").items():
                assert name not in stored, f"{name} stored twice"
                stored[name] = f
                total += info["data_offsets"][1] - info["data_offsets"][0]
        text = open(index_path).read()
        index = json.loads(text)
        assert index["weight_map"] == stored, "weight_map does not name the shard holding each tensor"
        assert index["metadata"]["total_size"] == total, (index["metadata"], total)
        assert text == json.dumps(index, indent=2, sort_keys=True) + "\n", "index text is not HF's json.dumps"
    else:
        assert files == ["model.safetensors"], files
        stored = {k: "model.safetensors" for k in header(f"{d}/model.safetensors")}
    if cfg.get("tie_word_embeddings", cfg["model_type"] == "gpt2"):
        assert "lm_head.weight" not in stored, "tied head written"
    return stored


def check_logits(d, cfg):
    w = lm_reference.read_weights(d)
    inputs = json.load(open(f"{d}/inputs.json"))
    ids = torch.tensor(inputs["ids"], dtype=torch.long)
    mask = torch.tensor(inputs["mask"], dtype=torch.long)
    ours = lm_reference.forward(cfg, w, ids, mask).numpy()
    expected = np.fromfile(f"{d}/expected-logits.bin", dtype="<f4").reshape(ours.shape)
    real = mask.numpy().astype(bool)
    err = np.abs(ours - expected)[real].max()
    assert err <= 1e-4 * max(1.0, np.abs(expected).max()), f"logits differ by {err}"
    return err, w


def main():
    root = sys.argv[1]
    cases = sorted({re.sub(r"-(fp32|bf16|sharded)$", "", f) for f in os.listdir(root)})
    for case in cases:
        weights = {}
        configs = {}
        for kind in ("fp32", "bf16", "sharded"):
            d = f"{root}/{case}-{kind}"
            cfg = json.load(open(f"{d}/config.json"))
            configs[kind] = cfg
            stored = check_layout(d, cfg)
            err, weights[kind] = check_logits(d, cfg)
            print(f"{case}-{kind}: {len(stored)} tensors in {len(set(stored.values()))} file(s), "
                  f"torch_dtype {cfg.get('torch_dtype')}, reference logits within {err:.2e}")
        a = dict(configs["fp32"], torch_dtype=None)
        b = dict(configs["bf16"], torch_dtype=None)
        assert a == b, f"{case}: configs differ beyond torch_dtype"
        assert configs["fp32"]["torch_dtype"] == "float32" and configs["bf16"]["torch_dtype"] == "bfloat16"
        for name, fp32 in weights["fp32"].items():
            rounded = fp32.to(torch.bfloat16).to(torch.float32)
            assert torch.equal(rounded, weights["bf16"][name]), f"{case}: {name} is not torch's bf16 rounding"
            assert torch.equal(rounded, weights["sharded"][name]), f"{case}: sharded {name} differs"
    print(f"{len(cases)} cases ok")


if __name__ == "__main__":
    main()
