#!/usr/bin/env bash
# Side-by-side run of ../shared/bench/peer_bench.py: stockrnn beside naive, the minimal PyTorch
# loop (ref_lstm_rel) and Darts, in one run, with the harness's leak check.
#   bench/peers.sh [PEER_PYTHON] [REPEAT]
# PEER_PYTHON: an interpreter with darts[torch]==0.48.1 (see ../shared/bench/TASK.md);
# without it, Darts is skipped. The stockrnn on PATH is this checkout's .venv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
shared="$root/../shared/bench"
peer_python="${1:-}"
repeat="${2:-2}"
only="naive,ref_lstm_rel,stockrnn_lstm"
vars=()
if [ -n "$peer_python" ]; then
  only="$only,darts_blockrnn"
  vars=(--var "peer_python=$peer_python")
fi
export PATH="$root/.venv/bin:$PATH"
# The harness reuses each contestant's workdir under --out-dir: start clean, or stockrnn train
# (rightly) refuses to overwrite the previous run's model.
rm -rf "$root/bench/out/peers"
cd "$shared"
"$root/.venv/bin/python" peer_bench.py bench --repeat "$repeat" --leak-check --save-predictions \
  --contestants "$here/stockrnn_contestant.json" --only "$only" "${vars[@]}" \
  --out-dir "$root/bench/out/peers"
