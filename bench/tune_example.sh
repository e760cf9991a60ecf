#!/usr/bin/env bash
# The README's tuning example: SPY and MSFT from ../shared/data/ohlcv, 12 trials of the default
# space, 3 walk-forward folds inside the training span, up to 10 epochs each (patience 3).
#   bench/tune_example.sh [TRIALS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
ohlcv="$root/../shared/data/ohlcv"
ws="$(mktemp -d)"
trap 'rm -rf "$ws"' EXIT
cd "$ws"
echo "[workspace]" > stockrnn.toml  # its own data/ and models/, not the per-user default
for t in SPY MSFT; do "$root/.venv/bin/stockrnn" fetch "$t" --csv "$ohlcv/$t.csv" > /dev/null; done
start=$(date +%s.%N)
"$root/.venv/bin/stockrnn" tune SPY MSFT --trials "${1:-12}" --folds 3 --epochs 10 \
  --patience 3 --seed 42 --save-best tuned
end=$(date +%s.%N)
echo "wall: $(echo "$end - $start" | bc) s for the whole tune command (search + final training)"
