#!/usr/bin/env bash
# Regenerates the LM golden files: tiny models written by our Java code, logits by the
# independent PyTorch reference (Debian's python3-torch: apt-get install -y python3-torch).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
out="$root/trainer/src/test/resources/golden"
cd "$root"
mvn -q -B -o test-compile -pl trainer
cpfile="$(mktemp)"
(cd trainer && mvn -q -B -o dependency:build-classpath -Dmdep.outputFile="$cpfile")
cp="$(cat "$cpfile")"; rm -f "$cpfile"
# Arguments: the cases to write (default: all of GoldenModels.CASES).
java -Dai.djl.offline=true -cp "trainer/target/classes:trainer/target/test-classes:$cp" sdpo4j.lm.model.GoldenModels "$out" "$@"
if [ $# -eq 0 ]; then
  /usr/bin/python3 "$root/trainer/src/test/python/lm_reference.py" "$out"/*/
else
  /usr/bin/python3 "$root/trainer/src/test/python/lm_reference.py" "${@/#/$out/}"
fi
